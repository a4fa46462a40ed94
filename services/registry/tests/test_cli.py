"""The registry's command line on the embedded default (SQLite), as an operator runs it."""

import json
from datetime import date
from pathlib import Path

import pytest

from jrp_registry.cli import main
from jrp_shared.auth import ROLE_ADMINISTRATOR, ROLE_PORTAL, TokenVerifier
from jrp_shared.calendar import statutory_holidays
from jrp_shared.testing import Keys


@pytest.fixture
def registry_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JRP_REGISTRY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("JRP_REGISTRY_LOG_JSON", "false")
    assert main(["migrate"]) == 0
    return tmp_path


def test_an_operator_loads_a_years_official_schedule_from_a_file(
    registry_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = registry_env / "2027.json"
    schedule.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "test",
                "holidays": [str(d) for d in sorted(statutory_holidays(2027))],
                "adjusted_workdays": [],
            }
        )
    )
    assert main(["load-calendar", str(schedule)]) == 0
    assert "2027 schedule loaded (13 holidays" in capsys.readouterr().out

    missing_holiday = registry_env / "bad.json"
    missing_holiday.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "t",
                "holidays": [str(date(2027, 1, 1))],
                "adjusted_workdays": [],
            }
        )
    )
    assert main(["load-calendar", str(missing_holiday)]) == 2
    assert "not a valid schedule" in capsys.readouterr().err


def test_the_catalog_loads_once_and_again_changes_nothing(
    registry_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load-catalog"]) == 0
    assert "new versions: 24 list types, 93 measures" in capsys.readouterr().out
    assert main(["load-catalog"]) == 0
    assert "new versions: 0 list types, 0 measures" in capsys.readouterr().out


def test_dev_credentials_give_the_credit_office_the_portal_role(
    registry_env: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JRP_REGISTRY_SIGNING_KEY_FILE", str(keys.private_key_file))
    assert main(["load-catalog"]) == 0
    out = registry_env / "tokens.json"
    args = ["--out", str(out), "--secrets-out", str(registry_env / "secrets.json")]
    assert main(["dev-credentials", *args]) == 0
    tokens = json.loads(out.read_text())
    verifier = TokenVerifier(
        keys.public_key_file.read_text(), issuer=keys.issuer.issuer, audience=keys.issuer.audience
    )
    office = verifier.verify(tokens["credit-office"]).roles
    assert {ROLE_ADMINISTRATOR, ROLE_PORTAL} <= office
    assert ROLE_PORTAL not in verifier.verify(tokens["tax"]).roles
    # The tokens carry the credential version their new secret made (docs/security.md).
    assert verifier.verify(tokens["tax"]).credential_version == 2


def test_the_kafka_plans_come_from_the_catalogs_departments(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JRP_REGISTRY_TOPIC_NAMESPACE", "prod")
    monkeypatch.setenv("JRP_REGISTRY_KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("JRP_REGISTRY_KAFKA_MIN_INSYNC_REPLICAS", "2")
    assert main(["provision-topics", "--dry-run"]) == 0
    specs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    names = {spec["name"] for spec in specs}
    assert {"prod.sanctions.v1.finance", "prod.sanctions.v1.court", "prod.list-entries.v1"} <= names
    assert {(s["replication_factor"], s["config"]["min.insync.replicas"]) for s in specs} == {
        (3, "2")
    }

    assert main(["kafka-acls"]) == 0
    rules = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    finance = {
        (r["resource"], r["operation"]) for r in rules if r["principal"] == "User:dept-finance"
    }
    assert ("prod.sanctions.v1.finance", "read") in finance
    assert not any("sanctions.v1.court" in resource for resource, _ in finance)
    assert (
        main(
            [
                "kafka-acls",
                "--format",
                "kafka-acls",
                "--department-principal",
                "User:{department}.gov",
            ]
        )
        == 0
    )
    assert (
        "--allow-principal 'User:court.gov' --operation Read --topic 'prod.sanctions.v1.court'"
        in (capsys.readouterr().out)
    )
