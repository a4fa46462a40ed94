"""The Prometheus alert rules and the Grafana dashboard in deploy/observability/ (issue 17,
item 3; docs/operations.md, "Alerts and dashboard"), checked without a server: both parse,
every metric an expression or a panel names is one a service exports (the names are read from
the registries of the four services' apps, built in-process on SQLite and the embedded bus,
not started), and every alert carries a severity, a summary and a `runbook_url` pointing at a
heading of docs/operations.md."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from jrp_appeals.app import create_app as appeals_app
from jrp_appeals.config import AppealsSettings
from jrp_enforcement.app import create_app as enforcement_app
from jrp_enforcement.config import EnforcementSettings
from jrp_registry.app import create_app as registry_app
from jrp_registry.config import RegistrySettings
from jrp_shared.testing import Keys
from jrp_trigger.app import create_app as trigger_app
from jrp_trigger.config import TriggerSettings

ROOT = Path(__file__).resolve().parents[1]
ALERTS = ROOT / "deploy/observability/prometheus-alerts.yaml"
DASHBOARD = ROOT / "deploy/observability/grafana-dashboard.json"
ALERT_TESTS = ROOT / "deploy/observability/prometheus-alerts.test.yaml"
PROMTOOL_HINT = "deploy/local/tools.sh promtool (from Debian's prometheus package)"
OPERATIONS = ROOT / "docs/operations.md"
RUNBOOK_BASE = "docs/operations.md"  # prefixed at deployment (operations.md)

SERVICES = ("registry", "trigger", "enforcement", "appeals")

# PromQL words that are not metric names: functions, aggregations, keywords, durations' units.
_PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "bool", "offset", "rate", "irate", "increase", "delta", "idelta",
    "deriv", "changes", "resets", "abs", "absent", "absent_over_time", "time", "timestamp",
    "vector", "scalar", "clamp_min", "clamp_max", "histogram_quantile", "label_replace",
    "max_over_time", "min_over_time", "avg_over_time", "sum_over_time", "count_over_time",
    "last_over_time", "sort", "sort_desc", "round", "le", "inf", "nan",
}  # fmt: skip
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def _settings(cls: Any, service: str, tmp_path: Path, keys: Keys) -> Any:
    extra: dict[str, Any] = {}
    if service == "registry":
        extra["signing_key_file"] = keys.private_key_file
    return cls(
        database_url=f"sqlite+aiosqlite:///{tmp_path / service}.db",
        bus="embedded",
        embedded_bus_path=tmp_path / f"{service}-bus.sqlite3",
        auth_public_key_file=keys.public_key_file,
        log_json=False,
        **extra,
    )


def _app(service: str, tmp_path: Path, keys: Keys) -> FastAPI:
    if service == "registry":
        return registry_app(_settings(RegistrySettings, service, tmp_path, keys))
    if service == "trigger":
        return trigger_app(_settings(TriggerSettings, service, tmp_path, keys))
    if service == "enforcement":
        return enforcement_app(_settings(EnforcementSettings, service, tmp_path, keys))
    return appeals_app(_settings(AppealsSettings, service, tmp_path, keys))


def _names(registry: CollectorRegistry) -> set[str]:
    """Every series name the registry exposes: families and their samples (`_total`,
    `_bucket`, `_count`, `_sum`, `_created`), also of labelled families with no child yet."""
    names: set[str] = set()
    for family in registry.collect():
        names.add(family.name)
        suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_count", "_sum", "_created"),
            "summary": ("_count", "_sum", "_created"),
        }.get(family.type, ())
        names.update(family.name + suffix for suffix in suffixes)
        names.update(sample.name for sample in family.samples)
    return names


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> dict[str, set[str]]:
    tmp_path = tmp_path_factory.mktemp("observability")
    return {
        service: _names(_app(service, tmp_path, keys).state.runtime.metrics.registry)
        for service in SERVICES
    }


def _metric_names(expr: str) -> set[str]:
    """The metric names an expression selects: identifiers not inside `{…}` label matchers,
    not in strings, not function or keyword words, not a `[5m]` range."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "{}", expr)
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in _IDENT.finditer(expr):
        word = match.group(0)
        before = expr[: match.start()].rstrip()
        if word.lower() in _PROMQL_WORDS or before.endswith("$"):
            continue
        names.add(word)
    return names


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", markdown, flags=re.MULTILINE):
        text = re.sub(r"[^\w\- ]", "", heading.lower().replace("`", ""))
        anchors.add(text.replace(" ", "-"))
    return anchors


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _panel_exprs(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            yield item
            yield from panels(item.get("panels", []))

    for panel in panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def test_the_expression_parser_finds_metric_names_only() -> None:
    assert _metric_names(
        'sum by (department) (rate(jrp_events_consumed_total{outcome="dead_lettered"}[5m]))'
        " > 0 and on(job) jrp_bus_reachable == 0"
    ) == {"jrp_events_consumed_total", "jrp_bus_reachable"}
    assert _metric_names('max(jrp_sanction_topic_lag{department=~"$department"}) by (group)') == {
        "jrp_sanction_topic_lag"
    }


def test_the_new_metrics_are_exported(exported: dict[str, set[str]]) -> None:
    """Process and runtime on every service; the must-check index and overdue orders on
    enforcement; overdue cases on appeals (docs/operations.md, "Metrics")."""
    for service in SERVICES:
        assert {
            "process_resident_memory_bytes",
            "process_start_time_seconds",
            "process_cpu_seconds_total",
            "python_gc_objects_collected_total",
            "python_info",
            "jrp_service_info",
        } <= exported[service], service
    assert {
        "jrp_check_index_ready",
        "jrp_check_index_entries",
        "jrp_check_index_subjects",
        "jrp_check_index_bytes",
        "jrp_check_index_load_seconds",
        "jrp_check_index_reloads_total",
        "jrp_check_index_reloaded_entries_total",
        "jrp_orders_overdue",
    } <= exported["enforcement"]
    assert {"jrp_cases_overdue", "jrp_repairs_overdue"} <= exported["appeals"]
    assert "jrp_check_index_entries" not in exported["trigger"]


def test_every_alert_names_exported_metrics_and_a_runbook_anchor(
    exported: dict[str, set[str]],
) -> None:
    everything = set().union(*exported.values()) | {"up"}  # `up`: Prometheus's own per target
    anchors = _anchors(OPERATIONS.read_text(encoding="utf-8"))
    rules = _rules()
    assert len(rules) >= 15
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "alert names are unique"
    for rule in rules:
        used = _metric_names(rule["expr"])
        assert used, rule["alert"]
        assert used <= everything, (rule["alert"], used - everything)
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"].strip(), rule["alert"]
        url = rule["annotations"]["runbook_url"]
        assert url.startswith(RUNBOOK_BASE + "#"), (rule["alert"], url)
        assert url.split("#", 1)[1] in anchors, (rule["alert"], url)


def test_the_alerts_cover_what_the_issue_asks() -> None:
    used = set().union(*(_metric_names(rule["expr"]) for rule in _rules()))
    assert {
        "jrp_bus_reachable",
        "up",
        "jrp_outbox_unpublished",
        "jrp_outbox_oldest_unpublished_seconds",
        "jrp_consumer_lag",
        "jrp_sanction_topic_lag",
        "jrp_dead_letters_waiting",
        "jrp_orders_overdue",
        "jrp_monthly_reports_overdue",
        "jrp_exchange_overdue",
        "jrp_check_index_ready",
        "process_start_time_seconds",
        "process_resident_memory_bytes",
    } <= used | {"up"}


def test_every_dashboard_panel_queries_exported_metrics(exported: dict[str, set[str]]) -> None:
    everything = set().union(*exported.values()) | {"up"}  # `up`: Prometheus's own per target
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"]
    exprs = list(_panel_exprs(dashboard))
    assert len(exprs) >= 15
    for title, expr in exprs:
        used = _metric_names(expr)
        assert used, title
        assert used <= everything, (title, used - everything)
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"


RUNBOOK_STEPS = (
    "Broker down",
    "Database down",
    "A dead letter to replay",
    "A key to rotate",
    "A replica to add",
)


def _runbook() -> dict[str, str]:
    """The Runbook's subsections, by heading."""
    text = OPERATIONS.read_text(encoding="utf-8")
    runbook = text.split("\n## Runbook\n", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^### (.+)$", runbook, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_runbook_step_names_tests_and_scripts_that_exist() -> None:
    """Issue 17's done-when: each runbook step is exercised by a test or a script the note
    names; every file, test function and `make chaos` fault it names exists."""
    from bench.faults import FAULTS

    sections = _runbook()
    assert set(RUNBOOK_STEPS) <= set(sections)
    for heading, body in sections.items():
        body = re.sub(r"\s+", " ", body)  # a reference may wrap
        cited = re.findall(r"`((?:tests|shared|services)/[\w/.-]+\.py)(?:::(\w+))?`", body)
        if heading in RUNBOOK_STEPS:
            assert any(
                path.startswith(("tests/", "shared/tests/", "services/")) for path, _ in cited
            ), heading
        for path, function in cited:
            source = ROOT / path
            assert source.is_file(), (heading, path)
            if function:
                assert re.search(
                    rf"^(?:async )?def {function}\(", source.read_text(encoding="utf-8"), re.M
                ), (heading, path, function)
        for faults in re.findall(r'--faults ([\w -]+)"', body):
            assert set(faults.split()) <= set(FAULTS), (heading, faults)


# --- promtool: Prometheus's own check of the rules and their unit tests -----------------------


def _promtool() -> str:
    """promtool on PATH, else the one deploy/local/tools.sh put in var/tools/bin (what
    `make test` and `make test-unit` run first). Missing: a failure saying what to run."""
    found = shutil.which("promtool") or shutil.which("promtool", path=str(ROOT / "var/tools/bin"))
    if found is None:
        pytest.fail(f"promtool is not installed: run {PROMTOOL_HINT}")
    return found


def _run_promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_promtool(), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def test_promtool_accepts_the_alert_rules() -> None:
    checked = _run_promtool("check", "rules", ALERTS)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in checked.stdout


def test_promtool_refuses_a_broken_copy_of_the_rules(tmp_path: Path) -> None:
    """What promtool sees and the name checks above do not: PromQL syntax, durations, the
    templates of the annotations."""
    text = ALERTS.read_text(encoding="utf-8")
    broken = {
        "an unclosed parenthesis": text.replace(
            "expr: max by (job, instance) (jrp_bus_reachable) == 0",
            "expr: max by (job, instance) (jrp_bus_reachable == 0",
        ),
        "a duration that is not one": text.replace("for: 2m", "for: two minutes", 1),
        "a template that does not parse": text.replace("{{ $labels.job }}", "{{ $labels.job", 1),
    }
    for what, copy in broken.items():
        assert copy != text, what
        path = tmp_path / "prometheus-alerts.yaml"
        path.write_text(copy, encoding="utf-8")
        checked = _run_promtool("check", "rules", path)
        assert checked.returncode != 0, what
        assert "FAILED" in checked.stdout + checked.stderr, what


def test_promtool_unit_tests_of_three_alerts_pass_and_catch_a_changed_threshold(
    tmp_path: Path,
) -> None:
    """deploy/observability/prometheus-alerts.test.yaml: JrpBrokerUnreachable,
    JrpDeadLettersWaiting / JrpDeadLettersNotReplayable and JrpHttpErrors fire after their
    `for:` with their labels and annotations, and not before or below their threshold."""
    tested = _run_promtool("test", "rules", ALERT_TESTS)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout

    # The same unit tests against rules whose 5xx threshold was raised tenfold fail.
    shutil.copy(ALERT_TESTS, tmp_path / ALERT_TESTS.name)
    text = ALERTS.read_text(encoding="utf-8")
    changed = text.replace(
        "sum by (job) (rate(jrp_http_requests_total[5m])) > 0.05",
        "sum by (job) (rate(jrp_http_requests_total[5m])) > 0.5",
    )
    assert changed != text
    (tmp_path / ALERTS.name).write_text(changed, encoding="utf-8")
    failed = _run_promtool("test", "rules", tmp_path / ALERT_TESTS.name)
    assert failed.returncode != 0
    assert "JrpHttpErrors" in failed.stdout + failed.stderr
