"""`jrp-registry`: migrate, serve, load the catalog, issue development credentials."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from jrp_registry.adapters import orm
from jrp_registry.adapters.catalog_doc import render_catalog
from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.adapters.repositories import DepartmentRepository
from jrp_registry.config import RegistrySettings
from jrp_registry.domain import departments as department_rules
from jrp_registry.service_layer import handlers
from jrp_shared import cli
from jrp_shared.auth import TokenIssuer
from jrp_shared.calendar import YearSchedule
from jrp_shared.errors import DomainError
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
            f"measures; changed departments: {len(report.departments)} "
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
        },
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
