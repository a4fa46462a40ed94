"""The credit report as a PDF (reportlab): the subject, every entry the reader may see, the
date, the platform's seal line and the verification code the public lookup answers.

Chinese text uses reportlab's built-in `STSong-Light` CID font (Adobe's Chinese font pack
names it; nothing is embedded or downloaded), so the file stays small and renders in any
reader with Chinese support. The verification code and the report id are also in the
document's metadata (keywords), for tools that read reports.
"""

from __future__ import annotations

import io
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from jrp_registry.domain.credit_record import PLATFORM_NAME, SEAL_LINE, CreditRecord
from jrp_shared.clock import china_date

_FONT = "STSong-Light"
_PURPOSE_ZH = {
    "licensing": "行政许可",
    "approval": "审批",
    "qualification": "资质认定",
    "honour": "评优评先",
    "subsidy": "财政补贴",
    "procurement": "政府采购",
    "tender": "招标投标",
    "inspection": "监督检查",
}
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
        _registered = True
    return _FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle(
            "title", fontName=font, fontSize=18, leading=24, alignment=TA_CENTER
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=15),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=11),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11.5),
        "seal": ParagraphStyle("seal", fontName=font, fontSize=11, leading=16, alignment=2),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(
    record: CreditRecord, *, report_id: str, verification_code: str, issued_at: datetime
) -> bytes:
    """The report's bytes. Everything printed comes from `record`; nothing is looked up here."""
    s = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"信用报告 {report_id}",
        author=PLATFORM_NAME,
        subject=f"verification code {verification_code}",
        keywords=[f"report_id={report_id}", f"verification_code={verification_code}"],
        creator="jrp-registry",
        invariant=False,
    )
    day = china_date(issued_at).isoformat()
    reader = record.reader
    if reader.is_department:
        asked_by = f'<font name="Helvetica">{_escape(reader.name)}</font>'
        reference = _escape(reader.business_reference or "")
        purpose = f"{_PURPOSE_ZH.get(str(reader.purpose), '')}（{reference}）"
    else:
        asked_by, purpose = "信用主体本人（经信用门户）", "本人查询"
    story: list[Flowable] = [
        Paragraph("信用报告", s["title"]),
        Spacer(1, 6 * mm),
        Paragraph(
            f'报告编号：<font name="Helvetica">{report_id}</font>　　出具日期：{day}', s["body"]
        ),
        Paragraph(f"主体名称：{_escape(record.subject_name)}", s["body"]),
        Paragraph(f'主体代码：<font name="Helvetica">{record.displayed_code}</font>', s["body"]),
        Paragraph(f"查询方：{asked_by}　　查询用途：{purpose}", s["body"]),
        Spacer(1, 4 * mm),
    ]
    if record.entries:
        rows = [
            [
                Paragraph(h, s["cell"])
                for h in ("名单", "认定部门", "决定文书", "认定事由", "期限", "公开属性", "状态")
            ]
        ]
        for e in record.entries:
            rows.append(
                [
                    Paragraph(f"{e.colour_zh}<br/>{_escape(e.list_type_name)}", s["cell"]),
                    Paragraph(_escape(e.department_name), s["cell"]),
                    Paragraph(
                        f"{_escape(e.decision_number)}<br/>{e.decision_date.isoformat()}", s["cell"]
                    ),
                    Paragraph(_escape(e.grounds[:300]), s["cell"]),
                    Paragraph(
                        f"{e.period_start.isoformat()}<br/>至 {e.period_end.isoformat()}", s["cell"]
                    ),
                    Paragraph(e.class_zh, s["cell"]),
                    Paragraph(e.status_zh, s["cell"]),
                ]
            )
        table = Table(
            rows,
            colWidths=[30 * mm, 24 * mm, 28 * mm, 38 * mm, 22 * mm, 16 * mm, 16 * mm],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph("截至出具日期，未查询到该主体的红名单、黑名单记录。", s["body"]))
    if record.decisions:
        story.append(Spacer(1, 5 * mm))
        story.append(Paragraph("行政许可和行政处罚信息（双公示，公示期内）", s["body"]))
        story.append(Spacer(1, 2 * mm))
        rows = [
            [Paragraph(h, s["cell"]) for h in ("类别", "决定机关", "决定文书", "内容", "公示截止")]
        ]
        for d in record.decisions:
            rows.append(
                [
                    Paragraph(d.kind_zh, s["cell"]),
                    Paragraph(_escape(d.department_name), s["cell"]),
                    Paragraph(
                        f"{_escape(d.decision_number)}<br/>{d.decision_date.isoformat()}",
                        s["cell"],
                    ),
                    Paragraph(_escape(d.content[:300]), s["cell"]),
                    Paragraph(d.publication_ends.isoformat(), s["cell"]),
                ]
            )
        decisions = Table(
            rows, colWidths=[20 * mm, 34 * mm, 34 * mm, 64 * mm, 22 * mm], repeatRows=1
        )
        decisions.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(decisions)
    if record.withheld:
        story.append(Spacer(1, 3 * mm))
        story.append(
            Paragraph(
                f"另有 {record.withheld} 条政务共享类记录仅向履职部门提供，未列入本报告。",
                s["small"],
            )
        )
    story += [
        Spacer(1, 10 * mm),
        Paragraph(SEAL_LINE, s["seal"]),
        Paragraph(day, s["seal"]),
        Spacer(1, 6 * mm),
        Paragraph(
            f'验证码：<font name="Helvetica-Bold" size="11">{verification_code}</font><br/>'
            "本报告真伪可通过公共信用查询验证：GET /v1/public/credit-reports/{验证码}。"
            "报告反映出具时平台掌握的信息。",
            s["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
