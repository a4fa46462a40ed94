"""The officers' daily work in a real browser (issue 16, "Done when"): Debian's headless
Chromium on the console, the console on the four services, the services on the real PostgreSQL
and Kafka.

1. A reviewer of the tax authority signs in, opens the subject's objection from the inbox,
   decides it (the information is right), and sees the measures resume: the must-check no longer
   says suspended and the entry's orders are back in force.
2. An implementer of the finance bureau receives an order from its inbox and feeds back how each
   measure was handled.
3. The joint conference office opens the supervision dashboard, and the charts draw the numbers
   of the seeded month (read from the rendered SVG, compared with the services' own figures).

`make screenshots` saves the pages these visit into docs/console/."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from browser import (
    accessibility_problems,
    browser,  # noqa: F401  (the fixture)
    in_browser,
    off_origin,
    screenshot,
    sign_in,
    wait_for,
)
from console_harness import create_officer, running_console
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from test_due_process_over_kafka import entry_in_appeals, object_to, post_entry
from test_loop_over_kafka import ENTERPRISE, catalog_ready, tax_entry

from harness import Mesh
from jrp_shared.identifiers import organisation_code_check_character, uscc_check_character
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration

FINANCE = ("finance", "implementer")
OFFICE = ("credit-office", "administrator")


def uscc(serial: int) -> str:
    """A valid unified social credit code of a Fuzhou enterprise (check characters computed)."""
    organisation = f"M{serial:07d}"
    organisation += organisation_code_check_character(organisation)
    first17 = "91350100" + organisation
    return first17 + uscc_check_character(first17)


def full_page(driver: webdriver.Chrome) -> None:
    """The window as tall as the page, for a screenshot of all of it."""
    driver.set_window_size(1366, 760)  # measured from a short window: a tall one stays tall
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, min(max(int(height) + 140, 760), 3200))


def check_until(
    driver: webdriver.Chrome, url: str, code: str, *, suspended: str, within: float = 60
) -> dict[str, str]:
    """Submits the must-check form until its answer says `suspended` (the events travel
    asynchronously between services); the result's data attributes."""
    deadline = time.monotonic() + within
    while True:
        driver.get(f"{url}/check")
        field = wait_for(driver, "#f-q")
        field.send_keys(code)
        driver.find_element(By.CSS_SELECTOR, "#check-form button[type=submit]").click()
        result = wait_for(driver, "#check-result")
        found = {
            name: result.get_attribute(f"data-{name}") or ""
            for name in ("listed", "suspended", "rewarded", "warning")
        }
        if found["suspended"] == suspended or time.monotonic() > deadline:
            return found
        time.sleep(1)


def target(order: dict[str, Any]) -> str:
    """The code of whom an order's measures are applied to (the subject or a linked person)."""
    code: str = order["issued"]["target"]["code"]
    return code


async def finance_orders(mesh: Mesh, entry_id: str | None = None) -> list[dict[str, Any]]:
    response = await mesh.followers["enforcement"].client.get(
        "/v1/sanction-orders",
        params={"department": "finance"},
        headers=mesh.keys.headers(*FINANCE),
    )
    assert response.status_code == 200, response.text
    orders: list[dict[str, Any]] = response.json()
    return [o for o in orders if entry_id is None or o["entry_id"] == entry_id]


async def test_a_reviewer_decides_an_objection_and_sees_the_measures_resume(
    mesh: Mesh,
    tmp_path: Path,
    browser: webdriver.Chrome,  # noqa: F811
) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "li.qiang", "tax", ["initiator", "reviewer"], "李强")
    entry_id = await post_entry(mesh, tax_entry())
    await entry_in_appeals(mesh, entry_id)
    objection = await object_to(mesh, entry_id, mesh.keys.subject_headers(ENTERPRISE))
    objection_id = objection["objection_id"]

    async with running_console(mesh, tmp_path, serve=True) as console:
        url = console.url
        assert url is not None

        def scenario() -> dict[str, Any]:
            sign_in(browser, url, "li.qiang", password)
            # The objection suspends the entry's measures (DOMAIN.md §7): the check says so.
            before = check_until(browser, url, ENTERPRISE, suspended="true")
            browser.get(f"{url}/inbox")
            link = wait_for(browser, f'#inbox-objections tr[data-id="{objection_id}"] a')
            countdown = browser.find_element(
                By.CSS_SELECTOR, f'#inbox-objections tr[data-id="{objection_id}"] .due'
            )
            left = countdown.get_attribute("data-working-days-left")
            full_page(browser)
            screenshot(browser, "inbox")
            link.click()
            wait_for(browser, "#decision-form")
            Select(browser.find_element(By.NAME, "outcome")).select_by_value("information_right")
            browser.find_element(By.NAME, "reasons").send_keys("经核查，稽查认定事实清楚，证据确凿")
            full_page(browser)
            screenshot(browser, "objection")
            browser.find_element(By.ID, "decide").click()
            state = wait_for(browser, '#case-state[data-state="decided"]').text
            decided_by = wait_for(browser, "#case-decided-by").get_attribute("data-officer")
            problems = accessibility_problems(browser)
            # The measures resume: the must-check is no longer suspended, the entry listed, and
            # the entry's orders are back in force.
            after = check_until(browser, url, ENTERPRISE, suspended="false")
            full_page(browser)
            screenshot(browser, "must-check")
            browser.get(f"{url}/entries/{entry_id}")
            rows = browser.find_elements(By.CSS_SELECTOR, "#entry-orders tr[data-order-state]")
            order_states = {row.get_attribute("data-order-state") for row in rows}
            return {
                "before": before,
                "left": left,
                "state": state,
                "decided_by": decided_by,
                "problems": problems,
                "after": after,
                "order_states": order_states,
                "outside": off_origin(browser, url),
            }

        seen = await in_browser(scenario)

    # While suspended the subject is not listed for the check: no measure applies (must-check.md).
    assert seen["before"]["suspended"] == "true" and seen["before"]["listed"] == "false"
    assert seen["left"] is not None and int(seen["left"]) > 10  # 20 working days to decide
    assert seen["state"] and not seen["problems"], seen["problems"]
    assert seen["after"] == {**seen["after"], "listed": "true", "suspended": "false"}
    assert seen["order_states"] and "suspended" not in seen["order_states"], seen["order_states"]
    assert seen["outside"] == []
    # The decision is the service's, and it names the officer who made it.
    decided = await mesh.followers["appeals"].client.get(
        f"/v1/objections/{objection_id}", headers=mesh.keys.headers(*OFFICE)
    )
    body = decided.json()
    assert body["state"] == "decided" and body["outcome"] == "information_right"
    assert body["decision"]["decided_by_officer"] == seen["decided_by"]
    assert seen["decided_by"].startswith("officer-")


async def test_an_implementer_receives_and_feeds_back_an_order(
    mesh: Mesh,
    tmp_path: Path,
    browser: webdriver.Chrome,  # noqa: F811
) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "chen.jing", "finance", ["implementer"], "陈静")
    entry_id = await post_entry(mesh, tax_entry())

    async def issued() -> list[dict[str, Any]] | None:
        return await finance_orders(mesh, entry_id) or None

    orders = await eventually(issued, within=60)
    order = next(o for o in orders if target(o) == ENTERPRISE)
    order_id = order["order_id"]

    async with running_console(mesh, tmp_path, serve=True) as console:
        url = console.url
        assert url is not None

        def scenario() -> dict[str, Any]:
            sign_in(browser, url, "chen.jing", password)
            browser.get(f"{url}/inbox")
            wait_for(browser, f'#inbox-orders tr[data-id="{order_id}"] a').click()
            wait_for(browser, "#receipt-form")
            issued_state = browser.find_element(By.ID, "order-state").get_attribute("data-state")
            browser.find_element(By.ID, "receive").click()
            wait_for(browser, '#order-state[data-state="received"]')
            measures = []
            for fieldset in browser.find_elements(By.CSS_SELECTOR, "#feedback-form fieldset"):
                code = fieldset.get_attribute("data-measure")
                measures.append(code)
                outcome = fieldset.find_element(By.CSS_SELECTOR, "select")
                Select(outcome).select_by_value("applied")
                fieldset.find_element(By.NAME, f"reference-{code}").send_keys("CG-2026-88")
            full_page(browser)
            screenshot(browser, "order")
            browser.find_element(By.ID, "feed-back").click()
            wait_for(browser, '#order-state[data-state="fed_back"]')
            rows = browser.find_elements(By.CSS_SELECTOR, "#order-measures tr[data-measure]")
            shown = {r.get_attribute("data-measure"): r.get_attribute("data-outcome") for r in rows}
            return {
                "issued": issued_state,
                "measures": measures,
                "shown": shown,
                "problems": accessibility_problems(browser),
            }

        seen = await in_browser(scenario)

    assert seen["issued"] == "issued"
    assert seen["measures"] == [m["code"] for m in order["measures"]]
    assert seen["shown"] == dict.fromkeys(seen["measures"], "applied")
    assert not seen["problems"], seen["problems"]
    fed_back = await mesh.followers["enforcement"].client.get(
        f"/v1/sanction-orders/{order_id}", headers=mesh.keys.headers(*FINANCE)
    )
    body = fed_back.json()
    assert body["state"] == "fed_back"
    # Both steps name the officer who took them, not only the department.
    officers = await mesh.registry.client.get(
        "/v1/officers", headers=mesh.registry.as_office(), params={"department": "finance"}
    )
    officer_id = next(o["id"] for o in officers.json() if o["username"] == "chen.jing")
    assert body["received_by_officer"] == body["fed_back_by_officer"] == officer_id
    assert {m["code"]: m["outcome"] for m in body["measures"]} == seen["shown"]


async def test_the_office_dashboard_draws_the_seeded_figures(
    mesh: Mesh,
    tmp_path: Path,
    browser: webdriver.Chrome,  # noqa: F811
) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "wang.li", "credit-office", ["administrator"], "王丽")
    first = await post_entry(mesh, tax_entry())
    other = uscc(4242)
    second = await post_entry(
        mesh,
        tax_entry(
            record_id="闽税-2026-0002",
            subject={"code": other, "subject_type": "legal_person", "name": "厦门示例贸易"},
            linked_persons=[],
        ),
    )

    async def both_issued() -> list[dict[str, Any]] | None:
        orders = await finance_orders(mesh)
        return orders if {target(o) for o in orders} >= {ENTERPRISE, other} else None

    orders = await eventually(both_issued, within=60)
    # The second enterprise objects (open): the outcomes chart counts it as not decided yet.
    await entry_in_appeals(mesh, second)
    await object_to(mesh, second, mesh.keys.subject_headers(other))
    fed = next(o for o in orders if o["entry_id"] == first and target(o) == ENTERPRISE)
    client = mesh.followers["enforcement"].client
    received = await client.post(
        f"/v1/sanction-orders/{fed['order_id']}/receipt",
        json={"note": "已接收"},
        headers=mesh.keys.headers(*FINANCE),
    )
    assert received.status_code == 200, received.text
    feedback = await client.post(
        f"/v1/sanction-orders/{fed['order_id']}/feedback",
        json={
            "measures": [
                {
                    "measure": m["code"],
                    "outcome": "applied",
                    "business_reference": "CG-1",
                    "executed_at": datetime.now(UTC).isoformat(),
                }
                for m in fed["measures"]
            ]
        },
        headers=mesh.keys.headers(*FINANCE),
    )
    assert feedback.status_code == 200, feedback.text
    month = date.today().strftime("%Y-%m")
    # The figures as the services count them (trigger's monthly report): what the charts draw.
    expected_rate = round(100 / len(orders), 1)

    async def reported() -> bool:
        report = await mesh.followers["trigger"].client.get(
            f"/v1/reports/monthly/{month}", headers=mesh.keys.headers(*OFFICE)
        )
        rows = report.json()["departments"]
        return any(
            r["department"] == "finance"
            and r["orders"]["fed_back"] == 1
            and r["orders"]["issued"] == len(orders)
            for r in rows
        )

    await eventually(reported, within=60)

    async with running_console(mesh, tmp_path, serve=True) as console:
        url = console.url
        assert url is not None

        def texts(selector: str) -> list[str]:
            return [
                t.text.strip()
                for t in browser.find_elements(By.CSS_SELECTOR, f"{selector} svg text")
                if t.text.strip()
            ]

        def scenario() -> dict[str, Any]:
            sign_in(browser, url, "wang.li", password)
            browser.get(f"{url}/dashboard?month={month}")
            for chart in ("feedback-rate", "entries-by-month", "cases", "outcomes"):
                wait_for(browser, f"#chart-{chart} svg text")
            full_page(browser)
            time.sleep(0.5)  # the charts redraw once at the new size
            screenshot(browser, "dashboard")
            entries_rows = browser.find_elements(
                By.CSS_SELECTOR, f'#table-entries-by-month tr[data-category="{month}"] td'
            )
            finance_cells = browser.find_elements(
                By.CSS_SELECTOR, '#table-feedback-rate tr[data-category="finance"] td[data-value]'
            )
            outcome_cells = {
                (
                    c.find_element(By.XPATH, "..").get_attribute("data-category"),
                    c.get_attribute("data-series"),
                ): c.get_attribute("data-value")
                for c in browser.find_elements(By.CSS_SELECTOR, "#table-outcomes td[data-value]")
            }
            return {
                "outcomes": outcome_cells,
                "outcome_texts": texts("#chart-outcomes"),
                "rate_texts": texts("#chart-feedback-rate"),
                "entry_texts": texts("#chart-entries-by-month"),
                "case_texts": texts("#chart-cases"),
                "entries_table": [c.get_attribute("data-value") for c in entries_rows],
                "finance_table": [c.get_attribute("data-value") for c in finance_cells],
                "labels": texts("#chart-feedback-rate"),
                "problems": accessibility_problems(browser),
                "outside": off_origin(browser, url),
            }

        seen = await in_browser(scenario)

    rate = f"{expected_rate:g}%"
    assert rate in seen["rate_texts"], (rate, seen["rate_texts"])
    assert "0%" in seen["rate_texts"]  # the departments that fed nothing back
    assert "2" in seen["entry_texts"], seen["entry_texts"]  # two entries this month
    assert [float(v) for v in seen["finance_table"]] == [expected_rate]
    assert [float(v) for v in seen["entries_table"] if v] == [2.0]
    assert float(seen["outcomes"][("objections", "pending")]) == 1
    assert float(seen["outcomes"][("objections", "upheld")]) == 0
    assert "1" in seen["outcome_texts"], seen["outcome_texts"]
    assert not seen["problems"], seen["problems"]
    assert seen["outside"] == []


async def test_an_initiator_uploads_a_bulk_file_with_a_progress_bar(
    mesh: Mesh,
    tmp_path: Path,
    browser: webdriver.Chrome,  # noqa: F811
) -> None:
    """A CSV of 250 entries (two chunks of 200 lines: the progress bar moves), one of them
    wrong: a result per line, numbered as in the file; then the department's entries."""
    await catalog_ready(mesh)
    password = await create_officer(mesh, "li.qiang", "tax", ["initiator"], "李强")
    today = date.today()
    end = today.replace(year=today.year + 2)
    header = (
        "record_id,subject_code,subject_type,subject_name,list_type,grounds,legal_basis,"
        "decision_number,decision_date,period_start,period_end,disclosure_class,"
        "prior_notice_notified_on,prior_notice_channel,prior_notice_document_number,"
        "prior_notice_response_received"
    )
    lines = [header]
    for n in range(1, 251):
        code = uscc(5000 + n) if n != 101 else "91350100M00000000X"  # line 102: a wrong code
        lines.append(
            f"闽税-批量-{n:04d},{code},legal_person,示例企业{n}号,black.tax.major-violation,"
            f"虚开增值税专用发票,征管法第六十三条,闽税稽罚〔2026〕{n}号,{today},{today},{end},"
            f"public,{today},in_person,闽税稽告〔2026〕{n}号,true"
        )
    upload = tmp_path / "entries.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")

    async with running_console(mesh, tmp_path, serve=True) as console:
        url = console.url
        assert url is not None

        def scenario() -> dict[str, Any]:
            sign_in(browser, url, "li.qiang", password)
            browser.get(f"{url}/entries/bulk")
            wait_for(browser, "#f-file").send_keys(str(upload))
            browser.find_element(By.ID, "bulk-submit").click()
            progress = browser.find_element(By.ID, "bulk-progress")
            seen_values = set()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                value = float(progress.get_attribute("value") or 0)
                seen_values.add(value)
                rows = browser.find_elements(By.CSS_SELECTOR, "#bulk-results tr[data-line]")
                if value >= 100 and len(rows) == 250:
                    break
                time.sleep(0.2)
            refused = [
                (r.get_attribute("data-line"), r.get_attribute("data-status"))
                for r in browser.find_elements(
                    By.CSS_SELECTOR, '#bulk-results tr[data-accepted="false"]'
                )
            ]
            accepted = browser.find_elements(
                By.CSS_SELECTOR, '#bulk-results tr[data-accepted="true"]'
            )
            summary = browser.find_element(By.ID, "bulk-summary").text
            full_page(browser)
            browser.execute_script("window.scrollTo(0, 0)")
            browser.set_window_size(1366, 1100)
            screenshot(browser, "bulk")
            problems = accessibility_problems(browser)
            browser.get(f"{url}/entries")
            listed = browser.find_elements(By.CSS_SELECTOR, "#entries-table tr[data-entry-id]")
            full_page(browser)
            screenshot(browser, "entries")
            browser.get(f"{url}/entries/new")
            wait_for(browser, "#entry-form")
            full_page(browser)
            screenshot(browser, "entry-new")
            for page, name in (("/catalog", "catalog"), ("/calendar?month=2026-10", "calendar")):
                browser.get(f"{url}{page}")
                full_page(browser)
                screenshot(browser, name)
            return {
                "values": seen_values,
                "refused": refused,
                "accepted": len(accepted),
                "summary": summary,
                "problems": problems,
                "listed": len(listed),
            }

        seen = await in_browser(scenario)

    assert max(seen["values"]) == 100
    assert seen["refused"] == [("102", "rejected")]
    assert seen["accepted"] == 249
    assert "249" in seen["summary"] or "250" in seen["summary"], seen["summary"]
    assert not seen["problems"], seen["problems"]
    assert seen["listed"] > 0
