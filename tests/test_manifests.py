"""deploy/kubernetes: each overlay, rendered by kustomize, is valid against the Kubernetes schemas
(strict: an unknown field fails), configures every container with settings its own service knows
and that hold, and keeps the hardening, the release Jobs and the network rules the deployment
relies on (deploy/README.md, "Kubernetes")."""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]  # no type hints
import pytest
import yaml

from jrp_appeals.config import AppealsSettings
from jrp_console.config import ConsoleSettings
from jrp_enforcement.config import EnforcementSettings
from jrp_registry.config import RegistrySettings
from jrp_shared.settings import ServiceSettings
from jrp_trigger.config import TriggerSettings

ROOT = Path(__file__).resolve().parents[1]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("dev", "production")
# The oldest Kubernetes the manifests claim (matchLabelKeys in topology spread: 1.27+) and a
# recent one; kubernetes-validate bundles their schemas (no network).
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0")
SERVICES: dict[str, type[ServiceSettings]] = {
    "registry": RegistrySettings,
    "trigger": TriggerSettings,
    "enforcement": EnforcementSettings,
    "appeals": AppealsSettings,
}
SERVERS = (*SERVICES, "console")

Doc = dict[str, Any]


@functools.cache
def _kustomize() -> str:
    """The pinned kustomize (deploy/local/kustomize.sh builds it once from the Go proxy)."""
    done = subprocess.run(
        [str(ROOT / "deploy" / "local" / "kustomize.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@functools.cache
def _rendered(overlay: str) -> tuple[Doc, ...]:
    done = subprocess.run(
        [_kustomize(), "build", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return tuple(d for d in yaml.safe_load_all(done.stdout) if d)


def _templates() -> list[Doc]:
    text = (KUBERNETES / "secrets.example.yaml").read_text(encoding="utf-8")
    return [d for d in yaml.safe_load_all(text) if d]


def _of(docs: tuple[Doc, ...], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _pods(docs: tuple[Doc, ...]) -> Iterator[tuple[Doc, Doc]]:
    """(workload, pod spec) of every Deployment and Job."""
    for d in docs:
        if d["kind"] in ("Deployment", "Job"):
            yield d, d["spec"]["template"]["spec"]


def _containers(pod: Doc) -> list[Doc]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def _env(container: Doc, docs: tuple[Doc, ...]) -> dict[str, str]:
    """The container's environment as it starts: ConfigMap values looked up in the rendered
    output (the generated, hashed names), a Secret's value stood in for by a database URL."""
    config_maps = _of(docs, "ConfigMap")
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif "configMapKeyRef" in item["valueFrom"]:
            ref = item["valueFrom"]["configMapKeyRef"]
            env[item["name"]] = config_maps[ref["name"]]["data"][ref["key"]]
        else:
            env[item["name"]] = "postgresql+asyncpg://u:p@db/x"
    return env


def _service_of(workload: Doc) -> str:
    return str(workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_of_each_overlay_is_valid_against_the_kubernetes_schemas(
    overlay: str, version: str
) -> None:
    docs = _rendered(overlay)
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "Job", "NetworkPolicy", "PodDisruptionBudget"} <= kinds
    for doc in [*docs, *_templates()]:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:  # names the object that failed
            pytest.fail(f"{overlay} {doc['kind']}/{doc['metadata']['name']}: {exc.message}")


def test_the_strict_schema_check_refuses_an_unknown_field() -> None:
    deployment = json.loads(json.dumps(_of(_rendered("dev"), "Deployment")["registry"]))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_reads_valid_settings_of_its_own_service(
    overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _rendered(overlay)
    services = _of(docs, "Service")
    seen = set()
    for workload, pod in _pods(docs):
        for container in pod["containers"]:
            env = _env(container, docs)
            prefixes = {name.split("_")[1].lower() for name in env}
            assert len(prefixes) == 1, (workload["metadata"]["name"], prefixes)
            service = prefixes.pop()
            assert service == _service_of(workload)
            settings_class = SERVICES.get(service, ConsoleSettings)
            prefix = f"JRP_{service.upper()}_"
            unknown = [
                n for n in env if n.removeprefix(prefix).lower() not in settings_class.model_fields
            ]
            assert unknown == [], f"{container['name']}: not settings of {service}: {unknown}"
            with monkeypatch.context() as patched:
                for name, value in env.items():
                    patched.setenv(name, value)
                settings = settings_class()  # as the container reads them, from its environment
            mounts = [m["mountPath"] for m in container["volumeMounts"]]
            for name, value in env.items():  # every file it names is on a mounted volume
                if name.endswith("_FILE"):
                    assert any(value.startswith(m + "/") for m in mounts), (name, value)
            if workload["kind"] == "Deployment":  # tracing: read, and off unless an overlay
                assert f"{prefix}OTEL_EXPORTER_OTLP_ENDPOINT" in env  # names a collector
                assert not settings.otel_exporter_otlp_endpoint
                assert settings.otel_traces_sample_ratio == 1.0
            if isinstance(settings, ConsoleSettings):
                assert settings.cookie_secure is (overlay == "production")
                for upstream in SERVICES:  # the four services, by their Services' names
                    assert getattr(settings, f"{upstream}_url") == f"http://{upstream}"
                    assert services[upstream]["spec"]["ports"][0]["port"] == 80
                seen.add(("console", workload["kind"]))
                continue
            assert isinstance(settings, ServiceSettings)
            if settings.bus == "kafka":
                expected = "SASL_SSL" if overlay == "production" else "PLAINTEXT"
                assert settings.kafka_security_protocol == expected
                assert settings.kafka_auto_create_topics is False
                assert settings.kafka_key_secret_file is not None
                assert settings.kafka_sasl_username in (f"jrp-{service}", "admin")
                if overlay == "production":
                    assert settings.kafka_replication_factor >= 3
                    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
            else:  # only the release Jobs that touch the database alone
                assert workload["kind"] == "Job", workload["metadata"]["name"]
            if workload["metadata"]["name"] != "kafka-provision":  # topics and ACLs: no database
                assert settings.database_url.startswith("postgresql+asyncpg://")
            seen.add((service, workload["kind"]))
    assert {(s, "Deployment") for s in SERVERS} <= seen
    assert {(s, "Job") for s in SERVICES} <= seen  # each service's migration


def test_every_secret_key_the_overlays_read_is_in_the_templates() -> None:
    keys = {d["metadata"]["name"]: set(d["stringData"]) for d in _templates()}
    for overlay in OVERLAYS:
        for _workload, pod in _pods(_rendered(overlay)):
            for volume in pod["volumes"]:
                if "secret" in volume:
                    secret = volume["secret"]
                    assert {i["key"] for i in secret["items"]} <= keys[secret["secretName"]]
            for container in _containers(pod):
                for item in container.get("env", []):
                    ref = item.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        assert ref["key"] in keys[ref["name"]], ref


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_hardened_pinned_bounded_and_has_scratch_space(overlay: str) -> None:
    docs = _rendered(overlay)
    for workload, pod in _pods(docs):
        name = f"{workload['kind']}/{workload['metadata']['name']}"
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == 10001, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        empty_dirs = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in _containers(pod):
            image = container["image"]
            repository, _, tag = image.rpartition(":")
            assert repository.endswith(f"jrp-{_service_of(workload)}"), (name, image)
            assert tag and tag != "latest" and "/" not in tag, (name, image)
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
            scratch = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert scratch["/data"] in empty_dirs and scratch["/tmp"] in empty_dirs, name
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_servers_probe_serve_without_migrating_and_have_budgets_and_scaling(overlay: str) -> None:
    docs = _rendered(overlay)
    deployments = _of(docs, "Deployment")
    budgets, autoscalers = _of(docs, "PodDisruptionBudget"), _of(docs, "HorizontalPodAutoscaler")
    services = _of(docs, "Service")
    assert set(deployments) == set(SERVERS)
    for name, deployment in deployments.items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [f"jrp-{name}", "serve"]  # never --migrate: Jobs do
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        selector = services[name]["spec"]["selector"]
        assert selector.items() <= pod_labels.items()
        assert pod_labels["app.kubernetes.io/component"] == "server"  # Jobs' pods never serve
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        if overlay == "production":
            assert deployment["spec"]["replicas"] >= 2
            assert autoscalers[name]["spec"]["minReplicas"] >= 2
            assert autoscalers[name]["spec"]["scaleTargetRef"]["name"] == name
        else:
            assert deployment["spec"]["replicas"] == 1
    if overlay == "dev":
        assert autoscalers == {}
    else:
        assert set(autoscalers) == set(SERVERS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_release_jobs_migrate_one_at_a_time_provision_load_and_make_the_first_admin(
    overlay: str,
) -> None:
    jobs = _of(_rendered(overlay), "Job")
    for job in jobs.values():
        assert job["spec"]["parallelism"] == 1 and job["spec"]["completions"] == 1
        assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")
    for service in SERVICES:
        (container,) = jobs[f"migrate-{service}"]["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [f"jrp-{service}", "migrate"]
    (provision,) = jobs["kafka-provision"]["spec"]["template"]["spec"]["containers"]
    script = " ".join(provision["args"])
    assert "jrp-registry provision-topics" in script and "jrp-registry kafka-acls --apply" in script
    assert {"name": "JRP_REGISTRY_KAFKA_SASL_USERNAME", "value": "admin"} in provision["env"]
    (catalog,) = jobs["load-catalog"]["spec"]["template"]["spec"]["containers"]
    assert catalog["args"] == ["jrp-registry", "load-catalog"]
    admin_pod = jobs["first-admin"]["spec"]["template"]["spec"]
    (admin,) = admin_pod["containers"]
    args = admin["args"]
    assert args[:2] == ["jrp-registry", "create-officer"] and "--if-missing" in args
    assert args[args.index("--password-file") + 1] == "/secrets/first-admin-password"
    assert args[args.index("--roles") + 1] == "administrator"
    # The password reaches it from the Secret, copied owner-only (read_secret refuses 0440).
    (copy,) = admin_pod["initContainers"]
    assert "chmod 0400 /secrets/first-admin-password" in " ".join(copy["args"])
    volumes = {v["name"]: v for v in admin_pod["volumes"]}
    mounted = {m["mountPath"]: m["name"] for m in admin["volumeMounts"]}
    assert volumes[mounted["/secrets"]]["emptyDir"]["medium"] == "Memory"
    (source,) = [
        v
        for v in volumes.values()
        if v.get("secret", {}).get("secretName") == "jrp-keys"
        and any(i["key"] == "first-admin-password" for i in v["secret"]["items"])
    ]
    assert source["name"] in {m["name"] for m in copy["volumeMounts"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_deny_by_default_and_let_the_console_reach_only_the_services(
    overlay: str,
) -> None:
    policies = _of(_rendered(overlay), "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    console_egress = [
        p["spec"]
        for p in policies.values()
        if "Egress" in p["spec"]["policyTypes"]
        and p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        == "console"
    ]
    (rule,) = [r for spec in console_egress for r in spec["egress"]]
    (peer,) = rule["to"]
    (names, components) = peer["podSelector"]["matchExpressions"]
    assert set(names["values"]) == set(SERVICES) and components["values"] == ["server"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    data = policies["services-to-postgres-and-kafka"]["spec"]
    assert {p["port"] for r in data["egress"] for p in r["ports"]} == {5432, 9092, 9093}
    (selector,) = data["podSelector"]["matchExpressions"]
    assert "console" not in selector["values"]  # the console has no database and no Kafka
