"""The office's supervision dashboard, the monthly report and the reference pages of the
officers' console on the real mesh (PostgreSQL, Kafka; issue 16 item 5, DOMAIN.md §5 step 5, §9,
§4, §10): the charts' numbers are the trigger's report after a real loop."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from console_harness import create_officer, running_console
from test_loop_over_kafka import TAX_LIST, catalog_ready, tax_entry

from harness import Mesh
from jrp_console.pages import today
from jrp_shared.testing import eventually

pytestmark = pytest.mark.integration

ISLAND = re.compile(r'<script type="application/json" id="dashboard-data">(.*?)</script>', re.S)


def island_of(page: str) -> dict[str, Any]:
    found = ISLAND.search(page)
    assert found is not None, "the dashboard has no data island"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def seed_loop(mesh: Mesh) -> tuple[str, list[dict[str, Any]]]:
    """The tax entry posted; finance acknowledges and reports on both its orders (the
    enterprise's and its legal representative's); the trigger's report counts them."""
    trigger, enforcement = mesh.followers["trigger"], mesh.followers["enforcement"]
    posted = await trigger.client.post(
        "/v1/list-entries", json=tax_entry(), headers=mesh.keys.headers("tax", "initiator")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["entry_id"]
    office = mesh.keys.headers("credit-office", "administrator")

    async def issued() -> list[dict[str, Any]] | None:
        r = await enforcement.client.get(
            "/v1/sanction-orders", params={"entry_id": entry_id, "limit": 500}, headers=office
        )
        orders: list[dict[str, Any]] = r.json()
        return orders if r.status_code == 200 and len(orders) >= 10 else None

    orders = await eventually(issued, within=60)
    assert orders is not None
    finance = [o for o in orders if o["department"] == "finance"]
    assert len(finance) == 2
    headers = mesh.keys.headers("finance", "implementer")
    for order in finance:
        path = f"/v1/sanction-orders/{order['order_id']}"
        receipt = await enforcement.client.post(
            f"{path}/receipt", json={"note": "已接收"}, headers=headers
        )
        assert receipt.status_code == 200, receipt.text
        feedback = [
            {
                "measure": m["code"],
                "outcome": "applied",
                "business_reference": f"finance-{order['order_id']}",
                "executed_at": datetime.now(UTC).isoformat(),
            }
            for m in order["issued"]["measures"]
        ]
        reported = await enforcement.client.post(
            f"{path}/feedback", json={"measures": feedback}, headers=headers
        )
        assert reported.status_code == 200, reported.text

    month = today().strftime("%Y-%m")

    async def counted() -> dict[str, Any] | None:
        r = await trigger.client.get(f"/v1/reports/monthly/{month}", headers=office)
        report: dict[str, Any] = r.json()
        by = {d["department"]: d for d in report["departments"]}
        done = (
            report["total"]["orders"]["issued"] == len(orders)
            and by.get("finance", {}).get("orders", {}).get("fed_back") == 2
        )
        return report if done else None

    assert await eventually(counted, within=60) is not None
    return entry_id, orders


async def test_the_office_sees_the_loop_in_the_dashboard_charts(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    office_pw = await create_officer(mesh, "zhou.office", "credit-office", ["administrator"])
    tax_pw = await create_officer(mesh, "li.tax", "tax", ["initiator"])
    _entry, orders = await seed_loop(mesh)
    departments = sorted({o["department"] for o in orders})
    month = today().strftime("%Y-%m")

    async with running_console(mesh, tmp_path) as console:
        async with console.signed_in("zhou.office", office_pw) as office:
            page = await office.get("/dashboard")
            assert page.status_code == 200, page.text
            for chart in ("feedback-rate", "overdue", "entries-by-month", "cases"):
                assert f'id="chart-{chart}"' in page.text and f'id="table-{chart}"' in page.text
            assert '<script src="/static/vendor/echarts.min.js" defer>' in page.text
            data = island_of(page.text)
            assert data["period"]["start"] == f"{month}-01"
            charts = data["charts"]

            # Entries by month: the six months up to this one; only this month's entry.
            entries = charts["entries_by_month"]
            assert len(entries["categories"]) == 6 and entries["categories"][-1] == month
            assert entries["series"][0]["values"] == [0, 0, 0, 0, 0, 1]

            # Feedback rate: finance fed back both its orders; every other department none.
            rate = charts["feedback_rate"]
            assert rate["categories"] == departments and rate["unit"] == "%"
            values = dict(zip(rate["categories"], rate["series"][0]["values"], strict=True))
            assert values["finance"] == 100.0
            assert all(v == 0.0 for d, v in values.items() if d != "finance")

            # Nothing overdue yet (the orders are new), no objection or repair yet.
            assert charts["overdue"]["categories"] == []
            cases = charts["cases"]
            assert cases["categories"] == [
                "objections",
                "complaints",
                "objection_appeals",
                "repairs",
            ]
            assert all(v == 0 for s in cases["series"] for v in s["values"])

            # The accessible table shows the same numbers as the chart.
            assert re.search(
                r'<tr data-category="finance">\s*<th scope="row">[^<]*</th>\s*'
                r'<td data-series="feedback_rate" data-value="100.0">100%</td>',
                page.text,
            )

            # A date range: the same entry, counted once.
            ranged = await office.get(
                "/dashboard", params={"start": f"{month}-01", "end": today().isoformat()}
            )
            assert ranged.status_code == 200
            by_month = island_of(ranged.text)["charts"]["entries_by_month"]
            assert by_month["categories"] == [month] and by_month["series"][0]["values"] == [1]
            bad = await office.get("/dashboard", params={"month": "2999-01"})
            assert bad.status_code == 422 and 'id="period-error"' in bad.text

            # The monthly report: tables, and the trigger's PDF and CSV passed on.
            report = await office.get(f"/reports/monthly/{month}")
            assert report.status_code == 200
            assert f'href="/reports/monthly/{month}.pdf"' in report.text
            finance_row = re.search(
                r'<tr data-department="finance"\s*>(.*?)</tr>', report.text, re.S
            )
            assert finance_row is not None
            assert '<td data-field="orders_fed_back">2</td>' in finance_row.group(1)
            pdf = await office.get(f"/reports/monthly/{month}.pdf")
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF")
            assert "attachment" in pdf.headers["content-disposition"]
            assert f"{month}.pdf" in pdf.headers["content-disposition"]
            csv = await office.get(f"/reports/monthly/{month}.csv")
            assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
            lines = csv.content.decode("utf-8-sig").splitlines()
            assert lines[0].startswith("period_start,") and lines[-1].split(",")[3] == "TOTAL"

        async with console.signed_in("li.tax", tax_pw) as tax:
            refused = await tax.get("/dashboard")
            assert refused.status_code == 403
            assert 'id="dashboard-data"' not in refused.text
            # A department reads its own monthly report (the trigger scopes it).
            own = await tax.get(f"/reports/monthly/{month}")
            assert own.status_code == 200
            assert re.search(r'data-scope="tax"', own.text)


async def test_the_catalog_and_the_calendar_read_only(mesh: Mesh, tmp_path: Path) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "wang.market", "market", ["implementer"])
    async with (
        running_console(mesh, tmp_path) as console,
        console.signed_in("wang.market", password) as officer,
    ):
        catalog = await officer.get("/catalog")
        assert catalog.status_code == 200
        assert f'<tr data-list-type="{TAX_LIST}" data-version="1">' in catalog.text
        assert (
            'id="catalog-measures"' in catalog.text
            and '<form method="post"' not in (catalog.text.split("</header>", 1)[1])
        )
        detail = await officer.get(f"/catalog/list-types/{TAX_LIST}")
        assert detail.status_code == 200
        assert f'data-list-type="{TAX_LIST}" data-version="1"' in detail.text
        assert re.search(r'<table id="list-type-versions".*?data-version="1"', detail.text, re.S)
        assert detail.text.count("<tr data-measure=") >= 10
        missing = await officer.get("/catalog/list-types/no.such.list")
        assert missing.status_code == 404

        october = await officer.get("/calendar", params={"month": "2026-10"})
        assert october.status_code == 200
        assert re.search(r'data-date="2026-10-01" data-kind="holiday"', october.text)
        assert re.search(r'data-date="2026-10-12" data-kind="working"', october.text)
        assert re.search(r'data-date="2026-10-10" data-kind="adjusted_workday"', october.text)
        assert 'id="calendar-schedules"' in october.text
        far = await officer.get("/calendar", params={"month": "2031-10"})
        assert far.status_code == 200
        assert re.search(
            r'data-date="2031-10-01" data-kind="holiday" data-provisional="true"', far.text
        )
        assert 'data-source="provisional"' in far.text
