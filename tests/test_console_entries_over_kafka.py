"""The console's list-entry and must-check pages on the real mesh (PostgreSQL, Kafka; issue 16
items 3 and 4): an entry posted through the form, listed, opened, corrected and revoked through
its forms; the must-check page showing the subject listed with the audit id of the check and
the measures due, then not listed once revoked; a bulk chunk's per-line results; trigger's 422
shown beside the field it is about."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from console_harness import create_officer, running_console
from test_due_process_over_kafka import entry_in_appeals, object_to
from test_loop_over_kafka import ENTERPRISE, TAX_LIST, catalog_ready, tax_entry

from harness import Mesh
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration

RESULT = re.compile(r'<section class="card" id="check-result"[^>]*>', re.S)
AUDIT_ID = re.compile(r'<code id="check-audit-id">([^<]+)</code>')


def csrf_in(page: str, form_id: str) -> str:
    """The CSRF token inside the form `form_id` (not the sign-out form's): each form carries
    its own."""
    found = re.search(rf'<form[^>]*id="{form_id}".*?name="csrf" value="([^"]+)"', page, re.S)
    assert found is not None, f"no CSRF token in the form {form_id}"
    return found.group(1)


def entry_form(csrf: str, **changes: str) -> dict[str, str]:
    today = date.today()
    form = {
        "csrf": csrf,
        "list_type": TAX_LIST,
        "record_id": "闽税-console-0001",
        "subject_code": ENTERPRISE,
        "subject_type": "legal_person",
        "subject_name": "福州示例科技",
        "grounds": "虚开增值税专用发票，达到重大税收违法失信主体标准",
        "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
        "decision_number": "闽税稽罚〔2026〕12号",
        "decision_date": str(today),
        "period_start": str(today),
        "period_end": str(today + timedelta(days=365 * 3 - 2)),
        "disclosure_class": "public",
        "evidence_references": "闽税稽〔2026〕12号 稽查报告",
        "notice_notified_on": str(today),
        "notice_channel": "in_person",
        "notice_document_number": "闽税稽告〔2026〕12号",
        "notice_response_received": "on",
        "lp_role_1": "legal_representative",
        "lp_name_1": "张三",
        "lp_id_1": "11010519491231002X",
    }
    form.update(changes)
    return form


async def checked(client: httpx.AsyncClient, code: str) -> str:
    page = await client.get("/check")
    answer = await client.post(
        "/check", data={"csrf": csrf_in(page.text, "check-form"), "q": code, "purpose": "licensing"}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def result_of(page: str) -> str:
    found = RESULT.search(page)
    assert found is not None, page
    return found.group(0)


async def test_an_entry_through_the_console_and_its_must_check(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    tax = await create_officer(mesh, "wang.fang", "tax", ["initiator"], "王芳")
    finance = await create_officer(mesh, "zhao.lei", "finance", ["implementer"], "赵磊")
    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("wang.fang", tax) as officer,
        console.signed_in("zhao.lei", finance) as checker,
    ):
        # The form offers the list types the department initiates.
        new = await officer.get("/entries/new")
        assert new.status_code == 200 and 'id="entry-form"' in new.text
        assert f'<option value="{TAX_LIST}"' in new.text

        # A refusal (422) is shown beside the field it is about, the typed values kept.
        refused = await officer.post(
            "/entries/new",
            data=entry_form(
                csrf_in(new.text, "entry-form"), period_end=str(date.today() - timedelta(days=1))
            ),
        )
        assert refused.status_code == 422
        assert re.search(r'id="f-period_end"[^>]*aria-invalid="true"', refused.text), refused.text
        beside = re.search(
            r'<p class="problem" id="problem-period_end"[^>]*>([^<]*)</p>', refused.text
        )
        assert beside is not None and "period_end_before_start" in beside.group(1)
        assert 'value="福州示例科技"' in refused.text

        # Posted: the entry's page, in force.
        posted = await officer.post(
            "/entries/new", data=entry_form(csrf_in(new.text, "entry-form"))
        )
        assert posted.status_code == 303, posted.text
        location = posted.headers["location"]
        entry_id = location.rsplit("/", 1)[1]
        page = await officer.get(location)
        assert page.status_code == 200
        assert re.search(r'<dd id="entry-state" data-state="in_force">', page.text)
        assert 'id="correction-form"' in page.text and 'id="revocation-form"' in page.text
        assert '<li data-kind="recorded">' in page.text

        # Listed on /entries, filtered by state and list type, linking to its page.
        listed = await officer.get("/entries", params={"status": "in_force", "list_type": TAX_LIST})
        assert f'data-entry-id="{entry_id}" data-state="in_force"' in listed.text
        assert f'href="/entries/{entry_id}"' in listed.text
        none = await officer.get("/entries", params={"status": "revoked"})
        assert f'data-entry-id="{entry_id}"' not in none.text and 'id="entries-none"' in none.text

        # Must-check by another department: listed, with the audit id and its measures.
        async def listed_now() -> str | None:
            text = await checked(checker, ENTERPRISE)
            return text if 'data-listed="true"' in result_of(text) else None

        answer = await eventually(listed_now, within=60)
        result = result_of(answer)
        assert 'data-suspended="false"' in result and 'data-rewarded="false"' in result
        audit_id = AUDIT_ID.search(answer)
        assert audit_id is not None
        audit = await mesh.followers["enforcement"].client.get(
            f"/v1/checks/audit/{audit_id.group(1)}",
            headers=mesh.keys.headers("finance", "implementer"),
        )
        assert audit.status_code == 200 and audit.json()["listed"] is True
        assert audit.json()["purpose"] == "licensing"
        measures = re.search(r'<table id="check-measures">(.*?)</table>', answer, re.S)
        assert measures is not None
        assert f'data-entry-id="{entry_id}"' in measures.group(1)
        assert re.search(r'data-kind="(mandatory|recommended)"', measures.group(1))

        # Corrected through its form: version 2, its reason in the versions.
        correction = entry_form(
            csrf_in(page.text, "correction-form"),
            legal_basis="《税收征收管理法》第六十三条（更正）",
        )
        correction["reason"] = "法律依据条文表述更正"
        corrected = await officer.post(f"/entries/{entry_id}/correction", data=correction)
        assert corrected.status_code == 303, corrected.text
        page = await officer.get(f"/entries/{entry_id}")
        assert '<dd id="entry-version">2</dd>' in page.text
        assert '<tr data-version="2">' in page.text and "法律依据条文表述更正" in page.text
        assert '<li data-kind="corrected">' in page.text

        # A correction without its reason: trigger's 422 beside the reason.
        no_reason = await officer.post(
            f"/entries/{entry_id}/correction", data={**correction, "reason": ""}
        )
        assert no_reason.status_code == 422
        assert 'id="problem-reason"' in no_reason.text

        # Revoked through its form; then the must-check no longer lists it.
        revoked = await officer.post(
            f"/entries/{entry_id}/revocation",
            data={"csrf": csrf_in(page.text, "revocation-form"), "reason": "经复核，认定事实有误"},
        )
        assert revoked.status_code == 303, revoked.text
        page = await officer.get(f"/entries/{entry_id}")
        assert re.search(r'<dd id="entry-state" data-state="revoked">', page.text)
        assert "经复核，认定事实有误" in page.text
        assert 'id="revocation-form"' not in page.text and 'id="correction-form"' not in page.text

        async def cleared() -> str | None:
            text = await checked(checker, ENTERPRISE)
            return text if 'data-listed="false"' in result_of(text) else None

        after = await eventually(cleared, within=60)
        assert AUDIT_ID.search(after) is not None
        assert 'id="check-no-measures"' in after


async def test_bulk_chunks_and_the_whole_file_give_per_line_results(
    mesh: Mesh, tmp_path: Path
) -> None:
    await catalog_ready(mesh)
    tax = await create_officer(mesh, "chen.jing", "tax", ["initiator"])
    good = tax_entry(record_id="闽税-bulk-0001")
    bad = tax_entry(record_id="闽税-bulk-0002")
    bad["subject"] = {**bad["subject"], "code": "91350100M000100Y44"}  # wrong check character
    text = json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n"
    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("chen.jing", tax) as officer,
    ):
        form = await officer.get("/entries/bulk")
        assert '<progress id="bulk-progress"' in form.text and 'id="bulk-results"' in form.text
        assert 'src="/static/bulk.js"' in form.text
        csrf = csrf_in(form.text, "bulk-form")

        # Without the CSRF header the chunk is refused.
        forged = await officer.post(
            "/entries/bulk/chunk", json={"format": "ndjson", "first_line": 1, "text": text}
        )
        assert forged.status_code == 403

        # A chunk starting at the file's line 41: results numbered as in the file.
        chunk = await officer.post(
            "/entries/bulk/chunk",
            json={"format": "ndjson", "first_line": 41, "text": text},
            headers={"X-CSRF-Token": csrf},
        )
        assert chunk.status_code == 200, chunk.text
        answer = chunk.json()
        assert answer["error"] is None and answer["summary"]["lines"] == 2
        first, second = answer["results"]
        assert first["line"] == 41 and first["accepted"] and first["status"] == "created"
        assert first["entry_id"]
        assert second["line"] == 42 and not second["accepted"]
        assert second["entry_id"] is None
        assert any("subject.code" in r for r in second["reasons"]), second

        # The entry it created is the department's.
        page = await officer.get(f"/entries/{first['entry_id']}")
        assert page.status_code == 200 and "闽税-bulk-0001" in page.text

        # Without script: the whole file posted, the results on the page (the first line again:
        # already stored).
        whole = await officer.post(
            "/entries/bulk",
            data={"csrf": csrf},
            files={"file": ("entries.ndjson", text.encode(), "application/x-ndjson")},
        )
        assert whole.status_code == 200, whole.text
        rows = re.findall(
            r'<tr data-line="(\d+)" data-accepted="(true|false)" data-status="(\w+)">', whole.text
        )
        assert rows == [("1", "true", "existing"), ("2", "false", "rejected")]

        # A CSV chunk (the header, then records from the file's line 10; a quoted cell spans
        # two lines): numbered by the line each record starts on.
        today = date.today()
        header = (
            "record_id,subject_code,subject_type,subject_name,list_type,grounds,legal_basis,"
            "decision_number,decision_date,period_start,period_end,disclosure_class,"
            "prior_notice_notified_on,prior_notice_channel,prior_notice_document_number,"
            "prior_notice_response_received"
        )
        end = today + timedelta(days=365 * 3 - 2)
        row = (
            f'{{id}},{ENTERPRISE},legal_person,福州示例科技,{TAX_LIST},"虚开发票\n第二行",'
            f"征管法第六十三条,闽税稽罚〔2026〕13号,{today},{today},{{end}},public,"
            f"{today},in_person,闽税稽告〔2026〕13号,true"
        )
        rows = [row.format(id="闽税-csv-1", end=end), row.format(id="闽税-csv-2", end="soon")]
        csv_chunk = await officer.post(
            "/entries/bulk/chunk",
            json={"format": "csv", "first_line": 10, "text": "\n".join([header, *rows]) + "\n"},
            headers={"X-CSRF-Token": csrf},
        )
        assert csv_chunk.status_code == 200, csv_chunk.text
        numbered = [(r["line"], r["accepted"]) for r in csv_chunk.json()["results"]]
        assert numbered == [(10, True), (12, False)], csv_chunk.text

        # A chunk over the upload limit is refused before it reaches trigger.
        limit = console.settings.max_upload_bytes
        big = await officer.post(
            "/entries/bulk/chunk",
            content=b"x" * (limit + 1),
            headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
        )
        assert big.status_code == 413


async def test_a_name_finds_the_subject_and_a_suspended_entry_says_why(
    mesh: Mesh, tmp_path: Path
) -> None:
    await catalog_ready(mesh)
    registered = await mesh.registry.client.post(
        "/v1/subjects",
        json={"code": ENTERPRISE, "subject_type": "legal_person", "name": "福州示例科技有限公司"},
        headers=mesh.keys.headers("tax", "initiator"),
    )
    assert registered.status_code == 201, registered.text
    posted = await mesh.followers["trigger"].client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]
    await entry_in_appeals(mesh, entry_id)
    objection = await object_to(mesh, entry_id, mesh.keys.subject_headers(ENTERPRISE))
    assert objection["suspends"] is True

    finance = await create_officer(mesh, "sun.li", "finance", ["implementer"])
    tax = await create_officer(mesh, "zhou.yan", "tax", ["initiator"])
    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("sun.li", finance) as checker,
        console.signed_in("zhou.yan", tax) as officer,
    ):
        # A name: the register's matches, each to pick; nothing is checked yet.
        page = await checker.get("/check")
        found = await checker.post(
            "/check", data={"csrf": csrf_in(page.text, "check-form"), "q": "示例科技"}
        )
        assert found.status_code == 200
        assert f'<tr data-subject-code="{ENTERPRISE}">' in found.text
        assert 'id="check-result"' not in found.text
        pick = re.search(r'<tr data-subject-code="[^"]+">.*?</tr>', found.text, re.S)
        assert pick is not None and 'name="q" value="' + ENTERPRISE + '"' in pick.group(0)

        # Picked: suspended while the objection is verified, and which objection.
        async def suspended() -> str | None:
            text = await checked(checker, ENTERPRISE)
            return text if 'data-suspended="true"' in result_of(text) else None

        answer = await eventually(suspended, within=60)
        assert 'data-listed="false"' in result_of(answer)
        why = re.search(
            r'<span class="suspension-why" data-case-kind="(\w+)" data-case-id="([^"]+)"', answer
        )
        assert why is not None and why.groups() == ("objection", objection["objection_id"])
        assert AUDIT_ID.search(answer) is not None and 'id="check-no-measures"' in answer

        # The entry's page: suspended, with the case; revocable, not correctable meanwhile.
        entry = await officer.get(f"/entries/{entry_id}")
        assert '<dd id="entry-state" data-state="suspended">' in entry.text
        assert objection["objection_id"] in entry.text
        assert 'id="revocation-form"' in entry.text and 'id="correction-form"' not in entry.text

        # An unknown entry, and one that is not an id: the not-found page.
        assert (await officer.get("/entries/no-such-entry")).status_code == 404
        assert (await officer.get("/entries/..%2F..%2Fv1")).status_code == 404
