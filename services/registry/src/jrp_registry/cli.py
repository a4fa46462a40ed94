"""`jrp-registry`: migrate, serve, load the catalog, issue development credentials, provision
the Kafka topics and ACLs."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from jrp_registry.adapters import orm
from jrp_registry.adapters.catalog_doc import render_catalog
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.adapters.repositories import DepartmentRepository
from jrp_registry.config import RegistrySettings
from jrp_registry.domain import departments as department_rules
from jrp_registry.service_layer import handlers, officers
from jrp_shared import cli
from jrp_shared.auth import TokenIssuer
from jrp_shared.bus.connection import KafkaConnection
from jrp_shared.bus.plan import DepartmentAccess, Principals, acl_plan, topic_plan
from jrp_shared.bus.provisioning import ProvisioningError, apply_acls, provision_topics
from jrp_shared.calendar import YearSchedule
from jrp_shared.errors import Conflict, DomainError
from jrp_shared.files import read_secret
from jrp_shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


@asynccontextmanager
async def _runtime(settings: RegistrySettings) -> AsyncIterator[ServiceRuntime]:
    """The registry's runtime for one command: its database, released when the command ends."""
    runtime = ServiceRuntime(settings, orm.messaging)
    try:
        yield runtime
    finally:
        await runtime.db.dispose()


def _load_catalog_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=None, help="catalog data directory")
    parser.add_argument("--by", default="credit-office", help="department recorded as loader")


def _load_catalog(args: argparse.Namespace) -> int:
    settings = RegistrySettings()

    async def main() -> int:
        try:
            bundle = read_catalog(args.dir or settings.catalog_dir)
            async with _runtime(settings) as runtime, runtime.uow() as uow:
                report = await handlers.load_catalog(uow, bundle, args.by)
        except DomainError as exc:
            print(json.dumps(exc.as_json(), ensure_ascii=False, indent=2), file=sys.stderr)
            return 2
        print(
            f"catalog loaded: {len(bundle.list_types)} list types, {len(bundle.measures)} "
            f"measures, {len(bundle.departments)} departments, {len(bundle.domains)} domains; "
            f"new versions: {len(report.list_types)} list types, {len(report.measures)} "
            f"measures; past editions: {len(bundle.past_editions)}, new versions from them: "
            f"{len(report.past_list_types)}; changed departments: {len(report.departments)} "
            "(events queued in the outbox; the running service publishes them)"
        )
        return 0

    return cli.run_async(main)


def _load_calendar_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a year's official schedule as JSON (docs)")
    parser.add_argument("--by", default="credit-office", help="department recorded as loader")


def _load_calendar(args: argparse.Namespace) -> int:
    """An operator loads a year's official holiday schedule (DOMAIN.md §10)."""
    settings = RegistrySettings()

    async def main() -> int:
        try:
            schedule = YearSchedule.from_json(json.loads(args.file.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"{args.file}: not a valid schedule: {exc}", file=sys.stderr)
            return 2
        async with _runtime(settings) as runtime, runtime.uow() as uow:
            await handlers.load_calendar_schedule(uow, schedule, args.by)
        print(
            f"{schedule.year} schedule loaded ({len(schedule.holidays)} holidays, "
            f"{len(schedule.adjusted_workdays)} adjusted working days); published to every "
            "service, whose provisional deadlines for that year are recomputed"
        )
        return 0

    return cli.run_async(main)


def _catalog_doc_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=None, help="catalog data directory")
    parser.add_argument("--out", type=Path, default=Path("docs/catalog.md"))


def _catalog_doc(args: argparse.Namespace) -> int:
    bundle = read_catalog(args.dir or RegistrySettings().catalog_dir)
    args.out.write_text(render_catalog(bundle), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def _dev_credentials_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("var/dev-credentials.json"))
    parser.add_argument("--secrets-out", type=Path, default=Path("var/dev-client-secrets.json"))
    parser.add_argument("--ttl", type=int, default=7 * 24 * 3600, help="token lifetime, seconds")


def _dev_credentials(args: argparse.Namespace) -> int:
    """Development only: a fresh secret and a bearer token for every department."""
    settings = RegistrySettings()

    async def main() -> int:
        issuer = TokenIssuer(
            settings.private_key_pem(), issuer=settings.auth_issuer, audience=settings.auth_audience
        )
        tokens: dict[str, str] = {}
        secrets: dict[str, str] = {}
        async with _runtime(settings) as runtime:
            async with runtime.db.sessions() as session:
                departments = await DepartmentRepository(session).all()
            for department, active in departments:
                if not active:
                    continue
                code = department.code
                secrets[code] = department_rules.new_client_secret()
                async with runtime.uow() as uow:
                    await handlers.set_client_secret(uow, code, secrets[code], "dev-credentials")
                async with runtime.db.sessions() as session:
                    # The token carries the version the new secret made: a later rotation
                    # revokes it (docs/security.md, "Tokens").
                    version = await DepartmentRepository(session).credential_version(code)
                roles = department_rules.roles_of(
                    initiates=department.initiates,
                    implements=department.implements,
                    administers=code in settings.administrator_departments,
                    portal=code in settings.portal_departments,
                    exchanges=department.exchanges,
                )
                tokens[code], _ = issuer.issue(
                    code, roles, ttl_seconds=args.ttl, credential_version=version
                )
        for path, data in ((args.out, tokens), (args.secrets_out, secrets)):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            path.chmod(0o600)
        print(f"development credentials for {len(tokens)} departments written to {args.out}")
        return 0

    return cli.run_async(main)


def _departments(directory: Path | None, settings: RegistrySettings) -> list[DepartmentAccess]:
    bundle = read_catalog(directory or settings.catalog_dir)
    return [
        DepartmentAccess(d.code, d.initiates, d.implements, d.exchanges) for d in bundle.departments
    ]


def _provision_topics_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=None, help="catalog data directory")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the plan, change nothing on the cluster"
    )


def _provision_topics(args: argparse.Namespace) -> int:
    """Every topic of the mesh (a sanction topic per catalog department), created or brought
    to the plan's configuration; idempotent. Run with the administrator's principal."""
    settings = RegistrySettings()
    specs = topic_plan(
        settings.topic_namespace,
        [d.code for d in _departments(args.dir, settings)],
        partitions=settings.kafka_partitions,
        replication_factor=settings.kafka_replication_factor,
        min_insync_replicas=settings.kafka_min_insync_replicas,
        retention_hours=settings.kafka_retention_hours,
    )
    if args.dry_run:
        for spec in specs:
            print(json.dumps(dataclasses.asdict(spec)))
        return 0

    async def main() -> int:
        kwargs = {
            "bootstrap_servers": settings.kafka_bootstrap_servers,
            **KafkaConnection.from_settings(settings).client_kwargs(),
        }
        try:
            outcomes = await provision_topics(kwargs, specs)
        except ProvisioningError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        for outcome in outcomes:
            print(json.dumps(dataclasses.asdict(outcome)))
        return 1 if any(o.action == "differs" for o in outcomes) else 0

    return cli.run_async(main)


def _kafka_acls_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=None, help="catalog data directory")
    parser.add_argument("--service-principal", default=Principals.service)
    parser.add_argument("--department-principal", default=Principals.department)
    parser.add_argument(
        "--format", choices=("json", "kafka-acls"), default="json", help="how to print the plan"
    )
    parser.add_argument(
        "--apply", action="store_true", help="create the rules on the cluster (default: print)"
    )


def _kafka_acls(args: argparse.Namespace) -> int:
    """The ACL plan from the catalog's departments (docs/security.md, Kafka)."""
    settings = RegistrySettings()
    entries = acl_plan(
        settings.topic_namespace,
        _departments(args.dir, settings),
        Principals(args.service_principal, args.department_principal),
    )
    for entry in entries:
        if args.format == "json":
            print(json.dumps(dataclasses.asdict(entry)))
        else:
            print(entry.as_command(settings.kafka_bootstrap_servers))
    if not args.apply:
        return 0

    async def main() -> int:
        kwargs = {
            "bootstrap_servers": settings.kafka_bootstrap_servers,
            **KafkaConnection.from_settings(settings).client_kwargs(),
        }
        try:
            applied = await apply_acls(kwargs, entries)
        except ProvisioningError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        print(f"{applied} ACL rules applied", file=sys.stderr)
        return 0

    return cli.run_async(main)


def _create_officer_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True)
    parser.add_argument("--display-name", required=True)
    parser.add_argument("--department", required=True, help="its department's code")
    parser.add_argument(
        "--roles",
        required=True,
        help="comma-separated: initiator, implementer, reviewer, administrator",
    )
    parser.add_argument(
        "--password-file",
        type=Path,
        help="the initial password (e.g. a mounted Kubernetes Secret, mode 0600 or 0400); "
        "without it one is generated and printed once",
    )
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="succeed without change when the username exists (a bootstrap job run again)",
    )


def _create_officer(args: argparse.Namespace) -> int:
    """An officer account from the command line: the first office administrator of a new
    installation (docs/security.md, "Officers"), before any token exists to call the API."""
    settings = RegistrySettings()
    password = read_secret(args.password_file) if args.password_file else None

    async def main() -> int:
        async with _runtime(settings) as runtime:
            try:
                async with runtime.uow() as uow:
                    officer, initial = await officers.create_officer(
                        uow,
                        username=args.username,
                        display_name=args.display_name,
                        department_code=args.department,
                        roles=frozenset(r.strip() for r in args.roles.split(",") if r.strip()),
                        authorities=_authorities(settings),
                        by="jrp-registry create-officer",
                        hashing=anyio.CapacityLimiter(1),
                        password=password,
                    )
            except Conflict:
                if args.if_missing:
                    print(f"officer {args.username} exists; nothing changed")
                    return 0
                raise
            except DomainError as exc:
                print(f"refused: {exc}", file=sys.stderr)
                return 1
        print(f"officer {officer.username} ({officer.id}) created in {args.department}")
        if password is None:
            print(f"initial password (shown once): {initial}")
        return 0

    return cli.run_async(main)


def _init_secrets_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir", type=Path, required=True, help="e.g. a volume every container mounts"
    )


# File name → how it is made (deploy/compose.yaml's `secrets` service; docs/operations.md).
SECRET_FILES = (
    "signing-private.pem",
    "signing-public.pem",
    "kafka-key-secret",
    "whistleblower-identity-k1",
    "console-session-secret",
    "first-admin-password",
)


def _init_secrets(args: argparse.Namespace) -> int:
    """The secrets a new installation needs, each created once (0600) where missing and never
    rewritten: the token-signing key pair, the pseudonym secret of Kafka keys, the key sealing
    whistle-blowers' identities, the console's cookie secret, the first administrator's
    password. Prints which it created, never their contents."""
    import secrets as random

    from jrp_shared.auth import generate_keypair

    directory: Path = args.dir
    directory.mkdir(parents=True, exist_ok=True)
    created = []
    private, public = directory / "signing-private.pem", directory / "signing-public.pem"
    if not private.exists():
        private_pem, public_pem = generate_keypair()
        for path, text in ((private, private_pem), (public, public_pem)):
            path.write_text(text)
            path.chmod(0o600)
        created += [private.name, public.name]
    for name in SECRET_FILES[2:]:
        path = directory / name
        if path.exists():
            continue
        path.write_text(
            random.token_urlsafe(24) if name.endswith("password") else random.token_hex(32)
        )
        path.chmod(0o600)
        created.append(name)
    print(f"secrets in {directory}: created {', '.join(created) or 'none (all there)'}")
    return 0


# `make run`'s officers (development only): username → (display name, department, roles).
DEV_OFFICERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "office.admin": ("王丽（联席办）", "credit-office", ("administrator",)),
    "tax.officer": ("李强（税务）", "tax", ("initiator", "implementer", "reviewer")),
    "market.officer": ("张敏（市场监管）", "market", ("initiator", "implementer", "reviewer")),
    "finance.officer": ("陈静（财政）", "finance", ("implementer",)),
    "court.officer": ("刘洋（法院）", "court", ("initiator", "reviewer")),
}


def _dev_officers_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("var/dev-officers.json"))


def _dev_officers(args: argparse.Namespace) -> int:
    """Development only: the console's sign-in accounts of `make run`, their passwords in
    `--out` (0600). Accounts that exist keep their password (it stays in the file)."""
    settings = RegistrySettings()
    known: dict[str, dict[str, object]] = (
        json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    )

    async def main() -> int:
        async with _runtime(settings) as runtime:
            for username, (display_name, department, roles) in DEV_OFFICERS.items():
                try:
                    async with runtime.uow() as uow:
                        officer, password = await officers.create_officer(
                            uow,
                            username=username,
                            display_name=display_name,
                            department_code=department,
                            roles=frozenset(roles),
                            authorities=_authorities(settings),
                            by="dev-officers",
                            hashing=anyio.CapacityLimiter(1),
                        )
                except Conflict:
                    continue
                known[username] = {
                    "password": password,
                    "department": department,
                    "roles": sorted(officer.roles),
                    "display_name": display_name,
                }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(known, indent=2, ensure_ascii=False) + "\n", "utf-8")
        args.out.chmod(0o600)
        print(f"development officers ({', '.join(sorted(known))}) written to {args.out}")
        return 0

    return cli.run_async(main)


def _authorities(settings: RegistrySettings) -> officers.Authorities:
    return officers.Authorities(
        administrators=settings.administrator_departments, portals=settings.portal_departments
    )


def main(argv: list[str] | None = None) -> int:
    return cli.run(
        prog="jrp-registry",
        settings_factory=RegistrySettings,
        app_factory="jrp_registry.app:create_app",
        script_location=MIGRATIONS,
        extra={
            "load-catalog": (_load_catalog_args, _load_catalog),
            "dev-credentials": (_dev_credentials_args, _dev_credentials),
            "load-calendar": (_load_calendar_args, _load_calendar),
            "catalog-doc": (_catalog_doc_args, _catalog_doc),
            "provision-topics": (_provision_topics_args, _provision_topics),
            "kafka-acls": (_kafka_acls_args, _kafka_acls),
            "create-officer": (_create_officer_args, _create_officer),
            "dev-officers": (_dev_officers_args, _dev_officers),
            "init-secrets": (_init_secrets_args, _init_secrets),
        },
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
