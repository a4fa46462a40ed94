"""A supervision report as CSV (one flat table) and as PDF (tables, charts, typical cases).

CSV: UTF-8 with a BOM so Excel opens the Chinese; one row per department and a last row
`TOTAL`, columns in `CSV_COLUMNS` (docs/supervision.md). PDF: reportlab with the built-in CID
font `STSong-Light` (as registry's credit report; nothing is embedded or downloaded), a bar
chart of the feedback rate per department and a bar chart of measures by outcome from
`reportlab.graphics.charts`. Both are built from the report's JSON model only; the PDF is built
in a worker thread by the route.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from jrp_trigger.entrypoints.http.reports import FiguresRead, ReportRead

_FONT = "STSong-Light"
TITLE_ZH = "信用联合奖惩监测月报"
TITLE_EN = "Joint reward and punishment supervision report"
CHART_DEPARTMENTS = 20
"""Bars in the feedback-rate chart (the departments with most orders)."""

CSV_COLUMNS = [
    "period_start",
    "period_end",
    "as_of",
    "department",
    "department_name",
    "entries_initiated",
    "entries_red",
    "entries_black",
    "entries_watch",
    "orders_issued",
    "orders_received",
    "orders_fed_back",
    "receipt_overdue",
    "feedback_overdue",
    "feedback_rate",
    "measures_applied",
    "measures_not_applicable",
    "measures_failed",
    "objections_filed",
    "objections_decided",
    "objections_decided_on_time",
    "objections_overdue",
    "complaints_filed",
    "complaints_decided",
    "complaints_decided_on_time",
    "complaints_overdue",
    "objection_appeals_filed",
    "objection_appeals_decided",
    "objection_appeals_decided_on_time",
    "objection_appeals_overdue",
    "repairs_filed",
    "repairs_decided",
    "repairs_decided_on_time",
    "repairs_overdue",
    "reminders",
    "escalations",
    "report_due",
    "report_status",
]
TOTAL = "TOTAL"

_registered = False

Cell = Paragraph | str


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
        _registered = True
    return _FONT


def _row(report: ReportRead, department: str, name: str | None, f: FiguresRead) -> list[object]:
    status = next(
        (s for s in report.report_status if s.department == department and department != TOTAL),
        None,
    )
    row: list[object] = [
        report.period.start,
        report.period.end,
        report.as_of,
        department,
        name or "",
        f.entries.initiated,
        f.entries.by_colour.get("red", 0),
        f.entries.by_colour.get("black", 0),
        f.entries.by_colour.get("watch", 0),
        f.orders.issued,
        f.orders.received,
        f.orders.fed_back,
        f.orders.receipt_overdue,
        f.orders.feedback_overdue,
        "" if f.orders.feedback_rate is None else f"{f.orders.feedback_rate:.4f}",
        f.measures.applied,
        f.measures.not_applicable,
        f.measures.failed,
    ]
    for cases in (f.objections, f.complaints, f.objection_appeals, f.repairs):
        row += [cases.filed, cases.decided, cases.decided_on_time, cases.overdue]
    row += [f.reminders.reminders, f.reminders.escalations]
    row += ["", ""] if status is None else [status.due, status.status.value]
    return row


def csv_bytes(report: ReportRead) -> bytes:
    """One flat table: a row per department, then `TOTAL` (docs/supervision.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for d in report.departments:
        writer.writerow(_row(report, d.department, d.department_name, d))
    writer.writerow(_row(report, TOTAL, None, report.total))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- PDF -----------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _bar_chart(title: str, labels: list[str], values: list[float], *, percent: bool) -> Drawing:
    drawing = Drawing(250 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = int(15 * mm), int(18 * mm)
    chart.width, chart.height = int(225 * mm), int(42 * mm)
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or ["-"]
    chart.categoryAxis.labels.fontName = _font()
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(labels) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
    chart.valueAxis.valueMin = 0
    if percent:
        chart.valueAxis.valueMax = 100
        chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#2f5d8a")
    drawing.add(chart)
    drawing.add(String(15 * mm, 64 * mm, title, fontName=_font(), fontSize=10))
    return drawing


def pdf_bytes(report: ReportRead) -> bytes:
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=17, leading=23, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=17, spaceBefore=6)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=10)

    period = report.period.month or f"{report.period.start} – {report.period.end}"
    scope = "全平台 platform" if report.scope == "platform" else report.scope
    story: list[Flowable] = [
        Paragraph(_escape(f"{TITLE_ZH}（{period}）"), title),
        Paragraph(_escape(f"{TITLE_EN} {period}"), body),
        Paragraph(
            _escape(
                f"范围 Scope: {scope}　统计至 As of: {report.as_of}　"
                f"生成 Generated: {report.generated_at:%Y-%m-%d %H:%M} UTC"
            ),
            body,
        ),
        Spacer(1, 4 * mm),
    ]

    rows = [(d.department_name or d.department, d) for d in report.departments]
    figures_header = [
        "部门 Department",
        "发起 Entries",
        "下发 Orders",
        "签收 Received",
        "反馈 Fed back",
        "签收逾期 Receipt overdue",
        "反馈逾期 Feedback overdue",
        "反馈率 Feedback rate",
        "已执行 Applied",
        "不适用 N/A",
        "失败 Failed",
        "提醒 Reminders",
        "督办 Escalations",
    ]
    table: list[list[Cell]] = [[Paragraph(_escape(h), cell) for h in figures_header]]
    for name, f in [*rows, ("合计 TOTAL", report.total)]:
        table.append(
            [
                Paragraph(_escape(name), cell),
                *(
                    str(v)
                    for v in (
                        f.entries.initiated,
                        f.orders.issued,
                        f.orders.received,
                        f.orders.fed_back,
                        f.orders.receipt_overdue,
                        f.orders.feedback_overdue,
                        _percent(f.orders.feedback_rate),
                        f.measures.applied,
                        f.measures.not_applicable,
                        f.measures.failed,
                        f.reminders.reminders,
                        f.reminders.escalations,
                    )
                ),
            ]
        )
    story += [Paragraph("一、联合奖惩执行情况 Orders and feedback", heading), _table(table)]

    cases_header = ["部门 Department"] + [
        f"{zh} {part}"
        for zh in ("异议", "投诉", "复核", "修复")
        for part in ("filed", "decided", "on time", "overdue")
    ]
    table = [[Paragraph(_escape(h), cell) for h in cases_header]]
    for name, f in [*rows, ("合计 TOTAL", report.total)]:
        values: list[str] = []
        for c in (f.objections, f.complaints, f.objection_appeals, f.repairs):
            values += [str(c.filed), str(c.decided), str(c.decided_on_time), str(c.overdue)]
        table.append([Paragraph(_escape(name), cell), *values])
    story += [
        Paragraph(
            "二、异议、投诉、复核与信用修复 Objections, complaints, appeals and repairs", heading
        ),
        _table(table),
    ]

    # The chart's labels are the codes: the names are too long under a bar (they are in the tables).
    busiest = sorted(report.departments, key=lambda d: -d.orders.issued)[:CHART_DEPARTMENTS]
    story += [
        Spacer(1, 3 * mm),
        _bar_chart(
            "各部门反馈率 Feedback rate per department (%)",
            [d.department for d in busiest],
            [(d.orders.feedback_rate or 0) * 100 for d in busiest],
            percent=True,
        ),
        _bar_chart(
            "措施执行结果 Measures by outcome",
            ["已执行 applied", "不适用 not_applicable", "失败 failed"],
            [
                report.total.measures.applied,
                report.total.measures.not_applicable,
                report.total.measures.failed,
            ],
            percent=False,
        ),
    ]

    status_zh = {"submitted": "已报送", "pending": "待报送", "overdue": "逾期"}
    table = [
        [
            Paragraph(_escape(h), cell)
            for h in (
                "部门 Department",
                "月份 Month",
                "截止 Due",
                "状态 Status",
                "守信 Trust",
                "失信 Dishonesty",
            )
        ]
    ]
    for s in report.report_status:
        table.append(
            [
                Paragraph(_escape(s.department_name or s.department), cell),
                s.month,
                str(s.due),
                Paragraph(
                    _escape(
                        f"{status_zh[s.status.value]} {s.status.value}"
                        + (" (late)" if s.late else "")
                    ),
                    cell,
                ),
                str(s.trustworthiness),
                str(s.dishonesty),
            ]
        )
    story += [Paragraph("三、月报报送情况 Report status", heading), _table(table)]

    story.append(Paragraph("四、典型案例 Typical cases", heading))
    if not report.typical_cases:
        story.append(Paragraph("（无 none selected）", body))
    kind_zh = {"trustworthiness": "诚实守信典型", "dishonesty": "失信惩戒典型"}
    for case in report.typical_cases:
        story.append(
            Paragraph(
                _escape(
                    f"【{kind_zh[case.kind.value]} {case.kind.value}】"
                    f"{case.title}（{case.department}）"
                ),
                body,
            )
        )
        story.append(Paragraph(_escape(case.summary), body))
        story.append(Spacer(1, 2 * mm))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{TITLE_ZH} {period}",
        author="jrp trigger",
    )
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list[Cell]]) -> Table:
    table = Table(rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _font()),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f4f4f4")),
            ]
        )
    )
    return table
