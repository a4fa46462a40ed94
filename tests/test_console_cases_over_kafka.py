"""The console's inboxes and case pages on the real mesh (PostgreSQL, Kafka; issue 16 item 2):
an officer decides an objection, receives and feeds back a sanction order, and an officer of
another department is refused another's case."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from console_harness import create_officer, csrf_of, running_console
from test_due_process_over_kafka import (
    at,
    decide,
    entry_in_appeals,
    object_to,
    post_entry,
    repair_application,
    set_appeals_clock,
)
from test_loop_over_kafka import (
    ENTERPRISE,
    TAX_LIST,
    catalog_ready,
    expected_orders,
    tax_entry,
)

from harness import Mesh
from jrp_shared.clock import system_clock
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration


def row(page: str, table: str, row_id: str) -> str:
    """The `<tr data-id=…>` of one inbox table (fails when absent)."""
    found = re.search(rf'<table id="{table}">(.*?)</table>', page, re.S)
    assert found is not None, f"no table {table}"
    tr = re.search(rf'<tr data-id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', found.group(1), re.S)
    assert tr is not None, f"{row_id} is not in {table}"
    return tr.group(0)


def dd(page: str, dd_id: str) -> str:
    found = re.search(rf'<dd id="{dd_id}"([^>]*)>(.*?)</dd>', page, re.S)
    assert found is not None, f"no {dd_id}"
    return found.group(0)


async def test_a_reviewer_decides_an_objection_from_the_inbox(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "li.qiang", "tax", ["initiator", "reviewer"], "李强")
    entry_id = await post_entry(mesh, tax_entry())
    await entry_in_appeals(mesh, entry_id)
    objection = await object_to(mesh, entry_id, mesh.keys.subject_headers(ENTERPRISE))
    objection_id = objection["objection_id"]

    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("li.qiang", password) as officer,
    ):
        home = await officer.get("/")
        assert home.status_code == 200
        assert 'href="/inbox#inbox-objections"' in home.text
        assert 'data-count="1"' in home.text

        inbox = await officer.get("/inbox")
        assert inbox.status_code == 200
        listed = row(inbox.text, "inbox-objections", objection_id)
        assert f'href="/objections/{objection_id}"' in listed
        assert 'class="overdue"' not in listed  # 20 working days to decide
        left = re.search(r'data-working-days-left="(-?\d+)"', listed)
        assert left is not None and int(left.group(1)) > 10
        assert f'data-due="{objection["decision_due"]}"' in listed

        page = await officer.get(f"/objections/{objection_id}")
        assert page.status_code == 200
        assert 'data-state="open"' in dd(page.text, "case-state")
        assert "福州示例科技" in dd(page.text, "entry-subject")
        assert TAX_LIST in dd(page.text, "entry-list-type")
        assert '<tr data-version="1">' in page.text
        assert "完税凭证-001" in page.text  # the objection's evidence
        assert 'id="decision-form"' in page.text and 'id="decide"' in page.text

        # A decision the service refuses (a remedy with "information right") comes back on
        # the form with the service's words.
        refused = await officer.post(
            f"/objections/{objection_id}/decision",
            data={
                "csrf": csrf_of(page.text),
                "outcome": "information_right",
                "remedy": "revoke",
                "reasons": "核查属实",
            },
        )
        assert refused.status_code == 422, refused.text
        assert 'role="alert" id="decision-error"' in refused.text
        assert 'id="decision-form"' in refused.text

        decided = await officer.post(
            f"/objections/{objection_id}/decision",
            data={
                "csrf": csrf_of(page.text),
                "outcome": "information_right",
                "reasons": "经核查，稽查认定事实清楚，证据确凿",
            },
        )
        assert decided.status_code == 303
        assert decided.headers["location"] == f"/objections/{objection_id}"
        after = await officer.get(decided.headers["location"])
        assert 'class="flash success"' in after.text
        assert 'data-state="decided"' in dd(after.text, "case-state")
        me = await mesh.registry.client.get(
            "/v1/officers", headers=mesh.registry.as_office(), params={"department": "tax"}
        )
        officer_id = next(o["id"] for o in me.json() if o["username"] == "li.qiang")
        assert f'data-officer="{officer_id}"' in dd(after.text, "case-decided-by")
        assert 'id="decision-form"' not in after.text

        # The service recorded it, with the officer.
        answer = await mesh.followers["appeals"].client.get(
            f"/v1/objections/{objection_id}", headers=mesh.keys.headers("tax", "initiator")
        )
        assert answer.json()["state"] == "decided"
        assert answer.json()["decision"]["outcome"] == "information_right"
        assert answer.json()["decision"]["decided_by_officer"] == officer_id
        assert 'id="inbox-objections" data-empty' in (await officer.get("/inbox")).text


async def _an_order(mesh: Mesh, department: str) -> dict[str, object]:
    headers = mesh.keys.headers(department, "implementer")

    async def issued() -> dict[str, object] | None:
        r = await mesh.followers["enforcement"].client.get("/v1/sanction-orders", headers=headers)
        found = [o for o in r.json() if o["state"] == "issued"] if r.status_code == 200 else []
        return found[0] if found else None

    order = await eventually(issued, within=60)
    assert order is not None
    return order


async def test_an_implementer_receives_and_feeds_back_an_order(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    departments = {
        d for d, _ in expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    }
    department = "finance" if "finance" in departments else sorted(departments)[0]
    password = await create_officer(mesh, "wang.fang", department, ["implementer"], "王芳")
    await post_entry(mesh, tax_entry())
    order = await _an_order(mesh, department)
    order_id = str(order["order_id"])

    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("wang.fang", password) as officer,
    ):
        inbox = await officer.get("/inbox")
        assert f'href="/orders/{order_id}"' in row(inbox.text, "inbox-orders", order_id)
        assert f'data-due="{order["receipt_due"]}"' in row(inbox.text, "inbox-orders", order_id)

        page = await officer.get(f"/orders/{order_id}")
        assert page.status_code == 200
        assert 'data-state="issued"' in dd(page.text, "order-state")
        assert 'id="receipt-form"' in page.text and 'id="feedback-form"' not in page.text
        received = await officer.post(
            f"/orders/{order_id}/receipt", data={"csrf": csrf_of(page.text), "note": "已签收"}
        )
        assert received.status_code == 303
        page = await officer.get(f"/orders/{order_id}")
        assert 'data-state="received"' in dd(page.text, "order-state")
        assert 'id="feedback-form"' in page.text and 'id="feed-back"' in page.text
        assert 'id="receipt-form"' not in page.text

        codes = re.findall(r'<fieldset data-measure="([^"]+)">', page.text)
        assert codes, "the feedback form names each measure"
        # A failed measure without its reason is refused on the form.
        incomplete = await officer.post(
            f"/orders/{order_id}/feedback",
            data={"csrf": csrf_of(page.text), f"outcome-{codes[0]}": "failed"},
        )
        assert incomplete.status_code == 422 and 'role="alert"' in incomplete.text
        fields = {f"outcome-{code}": "applied" for code in codes}
        fields[f"reference-{codes[0]}"] = "财-2026-77"
        fed = await officer.post(
            f"/orders/{order_id}/feedback", data={"csrf": csrf_of(page.text), **fields}
        )
        assert fed.status_code == 303, fed.text
        page = await officer.get(f"/orders/{order_id}")
        assert 'data-state="fed_back"' in dd(page.text, "order-state")
        assert f'<tr data-measure="{codes[0]}" data-outcome="applied">' in page.text
        assert f'<tr data-id="{order_id}"' not in (await officer.get("/inbox")).text

    answer = await mesh.followers["enforcement"].client.get(
        f"/v1/sanction-orders/{order_id}", headers=mesh.keys.headers(department, "implementer")
    )
    assert answer.json()["state"] == "fed_back"
    assert {m["outcome"] for m in answer.json()["measures"]} == {"applied"}


async def test_another_department_is_refused_the_case(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "zhao.lei", "market", ["initiator", "reviewer"])
    entry_id = await post_entry(mesh, tax_entry())
    await entry_in_appeals(mesh, entry_id)
    objection = await object_to(mesh, entry_id, mesh.keys.subject_headers(ENTERPRISE))
    objection_id = objection["objection_id"]
    departments = {
        d for d, _ in expected_orders(TAX_LIST, subject_type="legal_person", with_person=True)
    }
    holder = "finance" if "finance" in departments else sorted(departments)[0]
    order = await _an_order(mesh, holder) if holder != "market" else None

    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("zhao.lei", password) as officer,
    ):
        page = await officer.get(f"/objections/{objection_id}")
        assert page.status_code in (403, 404)
        assert 'id="error-message"' in page.text and 'id="decision-form"' not in page.text
        assert objection_id not in (await officer.get("/inbox")).text
        posted = await officer.post(
            f"/objections/{objection_id}/decision",
            data={
                "csrf": csrf_of((await officer.get("/inbox")).text),
                "outcome": "information_wrong",
                "remedy": "revoke",
                "reasons": "冒充",
            },
        )
        assert posted.status_code in (403, 404)
        if order is not None:
            other = await officer.get(f"/orders/{order['order_id']}")
            assert other.status_code in (403, 404) and 'id="receipt-form"' not in other.text

    answer = await mesh.followers["appeals"].client.get(
        f"/v1/objections/{objection_id}", headers=mesh.keys.headers("tax", "initiator")
    )
    assert answer.json()["state"] == "open"


async def test_overdue_objections_come_first_and_are_highlighted(
    mesh: Mesh, tmp_path: Path
) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "sun.li", "tax", ["reviewer"], "孙丽")
    recent = await post_entry(mesh, tax_entry())
    older = await post_entry(mesh, tax_entry(record_id="闽税-2026-0002"))
    await entry_in_appeals(mesh, recent)
    await entry_in_appeals(mesh, older)
    subject = mesh.keys.subject_headers(ENTERPRISE)
    first = await object_to(mesh, recent, subject)
    # Filed eight weeks ago: its 20 working days to decide have run out.
    set_appeals_clock(mesh, at(timedelta(days=-56)))
    try:
        late = await object_to(mesh, older, subject)
    finally:
        set_appeals_clock(mesh, system_clock)
    assert late["decision_due"] < first["decision_due"]

    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("sun.li", password) as officer,
    ):
        page = (await officer.get("/inbox")).text
        late_row = row(page, "inbox-objections", late["objection_id"])
        first_row = row(page, "inbox-objections", first["objection_id"])
        assert 'class="overdue"' in late_row and 'class="overdue"' not in first_row
        assert 'class="due overdue"' in late_row
        assert page.index(late_row) < page.index(first_row), "earliest due first"
        home = await officer.get("/")
        assert 'data-count="2"' in home.text and '<span class="due overdue">1</span>' in home.text


async def test_the_office_decides_a_complaint(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "chen.jing", "credit-office", ["administrator"])
    entry_id = await post_entry(mesh, tax_entry())
    await entry_in_appeals(mesh, entry_id)
    subject = mesh.keys.subject_headers(ENTERPRISE)
    objection = await object_to(mesh, entry_id, subject)
    await decide(
        mesh,
        f"/v1/objections/{objection['objection_id']}/decision",
        mesh.keys.headers("tax", "initiator"),
        outcome="information_right",
        reasons="核查属实",
    )
    r = await mesh.followers["appeals"].client.post(
        f"/v1/objections/{objection['objection_id']}/complaint",
        json={"grounds": "异议答复未说明依据", "evidence_references": ["申辩书-002"]},
        headers=subject,
    )
    assert r.status_code == 201, r.text
    complaint_id = r.json()["complaint_id"]

    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("chen.jing", password) as officer,
    ):
        inbox = (await officer.get("/inbox")).text
        assert f'href="/complaints/{complaint_id}"' in row(inbox, "inbox-complaints", complaint_id)
        page = await officer.get(f"/complaints/{complaint_id}")
        assert page.status_code == 200 and "申辩书-002" in page.text
        decided = await officer.post(
            f"/complaints/{complaint_id}/decision",
            data={
                "csrf": csrf_of(page.text),
                "outcome": "information_right",
                "reasons": "联席会议办公室复核维持原认定",
            },
        )
        assert decided.status_code == 303
        after = (await officer.get(f"/complaints/{complaint_id}")).text
        assert 'data-state="decided"' in dd(after, "case-state")
        assert 'data-department="credit-office"' in dd(after, "case-decided-by")
    answer = await mesh.followers["appeals"].client.get(
        f"/v1/complaints/{complaint_id}",
        headers=mesh.keys.headers("credit-office", "administrator"),
    )
    assert answer.json()["state"] == "decided"
    assert answer.json()["decision"]["decided_by_officer"]


async def test_a_convened_department_votes_on_a_recognition_meeting(
    mesh: Mesh, tmp_path: Path
) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "zhou.hang", "trading", ["initiator"], "周航")
    r = await mesh.followers["trigger"].client.post(
        "/v1/list-entries",
        json=tax_entry(
            record_id="交易-2026-1",
            subject={"code": ENTERPRISE, "subject_type": "legal_person", "name": "围标企业"},
            list_type="black.trading.serious-dishonesty",
            grounds="围标串标",
            legal_basis="《中华人民共和国招标投标法》",
            linked_persons=[],
        ),
        headers=mesh.keys.headers("trading", "initiator"),
    )
    assert r.status_code == 201 and r.json()["status"] == "awaiting_recognition", r.text
    entry_id = r.json()["entry_id"]

    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("zhou.hang", password) as officer,
    ):
        inbox = (await officer.get("/inbox")).text
        assert f'href="/recognition/{entry_id}"' in row(inbox, "inbox-recognition", entry_id)
        page = await officer.get(f"/recognition/{entry_id}")
        assert 'data-state="awaiting_recognition"' in dd(page.text, "case-state")
        assert "trading" in page.text.split('id="recognition-pending">')[1].split("</span>")[0]
        voted = await officer.post(
            f"/recognition/{entry_id}/decision",
            data={"csrf": csrf_of(page.text), "outcome": "approve", "reasons": "同意认定"},
        )
        assert voted.status_code == 303
        after = (await officer.get(f"/recognition/{entry_id}")).text
        assert "trading" not in after.split('id="recognition-pending">')[1].split("</span>")[0]
        assert 'id="decision-form"' not in after
        assert f'<tr data-id="{entry_id}"' not in (await officer.get("/inbox")).text
    entry = await mesh.followers["trigger"].client.get(
        f"/v1/list-entries/{entry_id}", headers=mesh.keys.headers("trading", "initiator")
    )
    votes = entry.json()["recognition"]["votes"]
    assert [(v["department"], v["vote"]) for v in votes] == [("trading", "approve")]


async def test_the_authority_decides_a_forwarded_repair(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "wu.min", "tax", ["reviewer"], "吴敏")
    entry_id = await post_entry(mesh, tax_entry())
    await entry_in_appeals(mesh, entry_id)
    appeals = mesh.followers["appeals"].client
    # Thirteen months on (the tax list's minimum disclosure period has run), the enterprise
    # asks and the credit portal forwards it to the tax authority (DOMAIN.md §8, §11).
    set_appeals_clock(mesh, at(timedelta(days=396)))
    applied = await appeals.post(
        "/v1/repairs",
        json=repair_application(entry_id),
        headers=mesh.keys.subject_headers(ENTERPRISE),
    )
    assert applied.status_code == 201, applied.text
    repair_id = applied.json()["repair_id"]
    forwarded = await appeals.post(
        f"/v1/repairs/{repair_id}/forwarding",
        headers=mesh.keys.headers("credit-office", "portal"),
    )
    assert forwarded.status_code == 200, forwarded.text

    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("wu.min", password) as officer,
    ):
        inbox = (await officer.get("/inbox")).text
        assert f'href="/repairs/{repair_id}"' in row(inbox, "inbox-repairs", repair_id)
        page = await officer.get(f"/repairs/{repair_id}")
        assert 'data-state="pending"' in dd(page.text, "case-state")
        assert "完税证明-2026-77" in page.text
        # Refusing without reasons: appeals refuses, the form says why.
        refused = await officer.post(
            f"/repairs/{repair_id}/decision",
            data={"csrf": csrf_of(page.text), "outcome": "refuse", "reasons": ""},
        )
        assert refused.status_code in (409, 422), refused.text
        assert 'id="decision-error"' in refused.text and 'id="decision-form"' in refused.text
        granted = await officer.post(
            f"/repairs/{repair_id}/decision",
            data={
                "csrf": csrf_of(page.text),
                "outcome": "approve",
                "reasons": "已补缴税款、滞纳金和罚款并作出信用承诺",
            },
        )
        assert granted.status_code == 303
        after = (await officer.get(f"/repairs/{repair_id}")).text
        assert 'data-state="approved"' in dd(after, "case-state")
        assert 'data-outcome="approve"' in dd(after, "case-outcome")
    answer = await appeals.get(
        f"/v1/repairs/{repair_id}", headers=mesh.keys.headers("tax", "initiator")
    )
    assert answer.json()["state"] == "approved"
    assert answer.json()["decision"]["decided_by_officer"]
