"""The whistle-blower rules without I/O (DOMAIN.md §9): routing by domain (谁主管、谁负责),
the query code's slow hash, the identity's sealing with key rotation, the limits on evidence,
and the handling's order."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jrp_appeals.adapters.identity_vault import IdentityKeyError, IdentityUnreadable, IdentityVault
from jrp_appeals.domain import whistleblowers as rules
from jrp_appeals.domain.whistleblowers import (
    Attachment,
    AttachmentLimits,
    AttachmentTooLarge,
    Decision,
    Handler,
    ReportedSubject,
    ReporterIdentity,
    ReportOutcome,
    ReportState,
    Reward,
)
from jrp_appeals.testing import ENTERPRISE, LEGAL_REPRESENTATIVE
from jrp_shared.errors import Conflict, Forbidden, InvalidInput
from jrp_shared.events.payloads import DepartmentPublished
from jrp_shared.vocabulary import DepartmentLevel

OFFICE = "credit-office"


def department(
    code: str, name: str, domains: list[str], *, initiates: bool, active: bool
) -> DepartmentPublished:
    """A department as the registry publishes it (the department copy keeps it whole)."""
    return DepartmentPublished(
        code=code,
        name=name,
        name_en=code,
        level=DepartmentLevel.MUNICIPAL,
        region="350100",
        domains=domains,
        initiates=initiates,
        implements=True,
        active=active,
    )


DEPARTMENTS = [
    department("credit-office", "联席会议办公室", [], initiates=False, active=True),
    department("market", "市场监管局", ["market", "food-drug"], initiates=True, active=True),
    department("drug", "药监局", ["food-drug"], initiates=True, active=True),
    department("health", "卫健委", ["food-drug"], initiates=False, active=True),
    department("old-drug", "旧药监", ["food-drug"], initiates=True, active=False),
    department("tax", "税务局", ["tax"], initiates=True, active=True),
]


def test_a_report_goes_to_the_initiating_departments_of_its_domain() -> None:
    assert rules.route("food-drug", DEPARTMENTS, OFFICE) == ("drug", "market")
    assert rules.route("tax", DEPARTMENTS, OFFICE) == ("tax",)


def test_a_domain_nobody_initiates_in_goes_to_the_office() -> None:
    assert rules.route("customs", DEPARTMENTS, OFFICE) == (OFFICE,)
    assert rules.route("tax", [], OFFICE) == (OFFICE,)


def test_the_query_code_is_kept_only_as_a_slow_hash() -> None:
    code = rules.new_query_code()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    stored = rules.hash_query_code(code)
    assert stored.startswith("scrypt$") and code not in stored
    assert rules.query_code_matches(code, stored)
    assert rules.query_code_matches(code.lower().replace("-", " "), stored)
    assert not rules.query_code_matches(rules.new_query_code(), stored)
    assert not rules.query_code_matches(code, None)
    assert not rules.query_code_matches(code, "damaged")
    assert rules.hash_query_code(code) != stored  # salted


def test_report_numbers_are_human_readable() -> None:
    assert rules.report_number(2026, 123) == "JB-2026-000123"
    assert rules.is_report_number("JB-2026-000123")
    assert not rules.is_report_number("JB-2026-12")
    assert not rules.is_report_number("../etc")


IDENTITY = {"name": "王五", "phone": "13800000000", "id_number": None, "email": None}


def test_the_identity_is_sealed_and_opens_with_its_key() -> None:
    vault = IdentityVault({"k1": b"\x01" * 32}, "k1")
    key_id, sealed = vault.seal(IDENTITY, bound_to="JB-2026-000001")
    assert key_id == "k1"
    assert "王五".encode() not in sealed and b"13800000000" not in sealed
    assert vault.open(key_id, sealed, bound_to="JB-2026-000001") == IDENTITY
    with pytest.raises(IdentityUnreadable):
        vault.open(key_id, sealed, bound_to="JB-2026-000002")  # copied to another report


def test_keys_rotate_and_old_identities_still_open() -> None:
    old = IdentityVault({"k1": b"\x01" * 32}, "k1")
    key_id, sealed = old.seal(IDENTITY, bound_to="JB-2026-000001")
    rotated = IdentityVault({"k1": b"\x01" * 32, "k2": b"\x02" * 32}, "k2")
    assert rotated.open(key_id, sealed, bound_to="JB-2026-000001") == IDENTITY
    new_id, new_sealed = rotated.seal(IDENTITY, bound_to="JB-2026-000003")
    assert new_id == "k2"
    only_new = IdentityVault({"k2": b"\x02" * 32}, "k2")
    assert only_new.open(new_id, new_sealed, bound_to="JB-2026-000003") == IDENTITY
    with pytest.raises(IdentityUnreadable, match="k1"):
        only_new.open(key_id, sealed, bound_to="JB-2026-000001")
    wrong = IdentityVault({"k1": b"\x03" * 32}, "k1")
    with pytest.raises(IdentityUnreadable):
        wrong.open(key_id, sealed, bound_to="JB-2026-000001")


def test_keys_come_from_files(tmp_path: Path) -> None:
    base = tmp_path
    (base / "k1").write_text("01" * 32)
    (base / "k2").write_bytes(b"short")
    vault = IdentityVault.from_files({"k1": base / "k1"}, None)
    assert vault.current == "k1" and vault.keys["k1"] == b"\x01" * 32
    with pytest.raises(IdentityKeyError, match="32 bytes"):
        IdentityVault.from_files({"k2": base / "k2"}, None)
    with pytest.raises(IdentityKeyError, match="current"):
        IdentityVault.from_files({"k1": base / "k1", "k3": base / "k1"}, None)
    assert IdentityVault.from_files({}, None).current == "ephemeral"


LIMITS = AttachmentLimits(
    max_count=2,
    max_file_bytes=100,
    max_total_bytes=150,
    content_types=frozenset({"image/png", "application/pdf"}),
)


def _file(size: int, content_type: str = "image/png") -> Attachment:
    return Attachment("a.png", content_type, b"x" * size)


def test_evidence_is_bounded() -> None:
    rules.check_attachments([_file(100), _file(50)], LIMITS)
    with pytest.raises(AttachmentTooLarge) as one:
        rules.check_attachments([_file(101)], LIMITS)
    assert one.value.status == 413 and one.value.problems[0].reason == "file_too_large"
    with pytest.raises(AttachmentTooLarge) as total:
        rules.check_attachments([_file(100), _file(51)], LIMITS)
    assert total.value.problems[0].reason == "total_too_large"
    with pytest.raises(InvalidInput) as count:
        rules.check_attachments([_file(1)] * 3, LIMITS)
    assert count.value.problems[0].reason == "too_many_attachments"
    with pytest.raises(InvalidInput) as kind:
        rules.check_attachments([_file(1, "application/x-msdownload")], LIMITS)
    assert kind.value.problems[0].reason == "content_type_not_allowed"


def test_the_subject_and_the_reporter_are_checked_without_echoing_ids() -> None:
    assert rules.check_subject(ReportedSubject(ENTERPRISE, None)).code == ENTERPRISE
    assert rules.check_subject(ReportedSubject(LEGAL_REPRESENTATIVE, "张三")).name == "张三"
    with pytest.raises(InvalidInput) as missing:
        rules.check_subject(ReportedSubject(None, None))
    assert missing.value.problems[0].reason == "subject_missing"
    bad_id = LEGAL_REPRESENTATIVE[:17] + "1"
    with pytest.raises(InvalidInput) as bad:
        rules.check_subject(ReportedSubject(bad_id, None))
    assert bad.value.problems[0].reason == "invalid_code" and bad_id not in str(bad.value)
    with pytest.raises(InvalidInput) as reporter:
        rules.check_identity(ReporterIdentity(id_number=bad_id))
    assert reporter.value.problems[0].field == "reporter.id_number"
    assert bad_id not in str(reporter.value.as_json())
    assert ReporterIdentity().anonymous and not ReporterIdentity(email="a@b.cn").anonymous


def test_the_domain_must_be_one_of_the_catalog() -> None:
    rules.check_domain("tax", {"tax", "market"})
    with pytest.raises(InvalidInput) as bad:
        rules.check_domain("astrology", {"tax", "market"})
    assert bad.value.problems[0].reason == "unknown_domain"


TAX = Handler("tax", office=False)
OFFICE_HANDLER = Handler(OFFICE, office=True)


def test_who_may_handle_a_report() -> None:
    assert rules.may_see(TAX, ("tax",)) and rules.may_see(OFFICE_HANDLER, ("tax",))
    assert not rules.may_see(Handler("market", office=False), ("tax",))
    with pytest.raises(Forbidden):
        rules.require_may_handle(Handler("market", office=False), ("tax",))
    with pytest.raises(Forbidden):
        rules.check_transfer(TAX, ReportState.RECEIVED, ("market",))
    rules.check_transfer(OFFICE_HANDLER, ReportState.ACCEPTED, ("market",))
    with pytest.raises(Forbidden):
        rules.require_office_for_identity(TAX)


def test_a_decision_follows_acceptance_and_rewards_only_what_was_substantiated() -> None:
    reward = Reward(Decimal("500.00"), "举报奖励")
    substantiated = Decision(ReportOutcome.SUBSTANTIATED, "查实", "entry-1", reward)
    with pytest.raises(Conflict, match="accept"):
        rules.check_decision(ReportState.RECEIVED, substantiated)
    rules.check_decision(ReportState.ACCEPTED, substantiated)
    with pytest.raises(Conflict):
        rules.check_decision(ReportState.DECIDED, substantiated)
    with pytest.raises(InvalidInput) as rewarded:
        rules.check_decision(
            ReportState.ACCEPTED, Decision(ReportOutcome.UNSUBSTANTIATED, "未查实", None, reward)
        )
    assert rewarded.value.problems[0].reason == "reward_needs_substantiated"
    with pytest.raises(Conflict):
        rules.check_accept(ReportState.ACCEPTED)


def test_overdue_means_undecided_after_the_due_date() -> None:
    due = date(2026, 12, 1)
    assert not rules.is_overdue(ReportState.RECEIVED, due, due)
    assert rules.is_overdue(ReportState.ACCEPTED, due, date(2026, 12, 2))
    assert not rules.is_overdue(ReportState.DECIDED, due, date(2026, 12, 2))


def test_a_handlers_history_detail_names_its_officer() -> None:
    """Issue 16 (docs/security.md, "Officers"): every action names the officer who took it."""
    officer = rules.Handler("tax", office=False, officer="officer-0a1b2c3d4e5f")
    assert officer.detail(reason="x") == {"reason": "x", "officer": "officer-0a1b2c3d4e5f"}
    assert rules.Handler("tax", office=False).detail(reason="x") == {"reason": "x"}
