"""A notice as a PDF: the Chinese font embedded, A4 or the 80 mm roll of a receipt printer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from window_app.domain.words import language, tr
from window_app.notices.model import Notice, Row
from window_app.notices.qr import qr_png


@dataclass(frozen=True)
class Paper:
    """A paper's measures (mm, pt)."""

    width: float
    margin: float
    label_width: float
    title_size: float
    heading_size: float
    body_size: float
    qr_size: float
    qr_on_top: bool  # a sheet: the QR code in the top right corner; a roll: under the text


PAPERS = {
    "a4": Paper(width=210, margin=15, label_width=42, title_size=18, heading_size=12, body_size=10.5, qr_size=30, qr_on_top=True),
    "80mm": Paper(width=80, margin=4, label_width=20, title_size=13, heading_size=9.5, body_size=8, qr_size=36, qr_on_top=False),
}
A4_HEIGHT = 297
_ROLL_DRAFT = 3000  # mm: a roll's notice is drawn on one long page, then cut to its length


def write_pdf(notice: Notice, path: Path, font: Path, paper: str = "a4") -> int:
    """Write ``notice`` to ``path`` with ``font``; returns the page count.

    On the 80 mm roll the notice is one page exactly as long as its content (a receipt
    printer cuts where the page ends).
    """
    measures = PAPERS[paper]
    if paper == "80mm":
        pdf = _draw(notice, font, measures, _ROLL_DRAFT)
        _cut_roll(pdf, used=pdf.get_y() + measures.margin)
    else:
        pdf = _draw(notice, font, measures, A4_HEIGHT)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return pdf.pages_count


class _NoticePDF(FPDF):
    """Each page of a sheet says whose notice it is and which page of how many."""

    footer_text = ""

    def footer(self) -> None:
        if self.footer_text:
            self.set_y(-self.b_margin + 2)
            self.set_font("cjk", size=7)
            self.cell(0, 4, self.footer_text.format(page=self.page_no(), pages="{nb}"), align="C")


def _draw(notice: Notice, font: Path, paper: Paper, height: float) -> FPDF:
    pdf = _NoticePDF(unit="mm", format=(paper.width, height))
    if paper.qr_on_top:  # a sheet: a notice of several pages numbers them
        pdf.footer_text = f"{notice.title} {notice.reference}  " + tr(
            "第 {page} 页 / 共 {pages} 页", "page {page} of {pages}", page="{page}", pages="{pages}"
        )
    pdf.set_margins(paper.margin, paper.margin, paper.margin)
    pdf.set_auto_page_break(True, margin=paper.margin)
    pdf.set_title(f"{notice.title} {notice.reference}")
    pdf.set_creator("window-app")
    pdf.add_font("cjk", "", str(font))
    pdf.add_page()
    wrap = WrapMode.CHAR if language() == "zh" else WrapMode.WORD
    full = paper.width - 2 * paper.margin

    def line(text: str, size: float, align: str = "L", indent: float = 0.0) -> None:
        pdf.set_font("cjk", size=size)
        pdf.set_x(paper.margin + indent)
        pdf.multi_cell(full - indent, size * 0.5, text, align=align, wrapmode=wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    caption = tr("扫码查询办理进度", "Scan to see the progress")
    if notice.qr_link and paper.qr_on_top:
        top = paper.margin - 4  # the code's own quiet zone is the margin
        pdf.image(qr_png(notice.qr_link), x=paper.width - paper.margin - paper.qr_size + 4, y=top, w=paper.qr_size)
        pdf.set_font("cjk", size=paper.body_size * 0.8)
        pdf.set_xy(paper.width - paper.margin - paper.qr_size + 4, top + paper.qr_size - 1.5)
        pdf.cell(paper.qr_size, 4, caption, align="C")
        pdf.set_xy(paper.margin, paper.margin)
    line(notice.centre, paper.heading_size, "C")
    line(notice.title, paper.title_size, "C")
    line(tr("编号：{no}", "No. {no}", no=notice.reference), paper.body_size, "C")
    for section in notice.sections:
        pdf.ln(paper.body_size * 0.25)
        _rule(pdf, paper)
        if section.heading:
            line(section.heading, paper.heading_size)
        for row in section.rows:
            _row(pdf, paper, row, line)
    if notice.qr_link and not paper.qr_on_top:
        pdf.ln(paper.body_size * 0.3)
        if pdf.will_page_break(paper.qr_size + paper.body_size):
            pdf.add_page()
        pdf.image(qr_png(notice.qr_link), x=(paper.width - paper.qr_size) / 2, w=paper.qr_size)
        line(caption, paper.body_size, "C")
    if notice.signatures:
        pdf.ln(paper.body_size * 0.5)
        for signature in notice.signatures:
            pdf.ln(paper.body_size * 0.4)
            line(signature, paper.body_size)
    return pdf


def _row(pdf: FPDF, paper: Paper, row: Row, line) -> None:  # noqa: ANN001 - the local writer above
    if not row.label:
        line(row.value, paper.body_size)
        return
    pdf.set_font("cjk", size=paper.body_size)
    label = row.label + tr("：", ": ")
    if pdf.get_string_width(label) > paper.label_width:  # an item's long name: the value under it
        line(label, paper.body_size)
        if row.value:
            line(row.value, paper.body_size, indent=paper.label_width / 2)
        return
    y = pdf.get_y()
    pdf.set_x(paper.margin)
    pdf.cell(paper.label_width, paper.body_size * 0.5, label)
    pdf.set_y(y)
    line(row.value or " ", paper.body_size, indent=paper.label_width)


def _cut_roll(pdf: FPDF, used: float) -> None:
    """Shorten the roll's one page to ``used`` mm: PDF measures from the bottom, so the drawing
    (made for the long page) is moved down by what is cut off. Drawing it again on a page of the
    right length would parse the Chinese font (megabytes) a second time."""
    page = pdf.pages[1]
    cut_pt = (_ROLL_DRAFT - used) * pdf.k
    page.set_dimensions(pdf.w_pt, used * pdf.k)
    page.contents = bytearray(f"q 1 0 0 1 0 {-cut_pt:.2f} cm\n".encode()) + page.contents + bytearray(b"\nQ")


def _rule(pdf: FPDF, paper: Paper) -> None:
    pdf.set_draw_color(160, 160, 160)
    y = pdf.get_y()
    pdf.line(paper.margin, y, paper.width - paper.margin, y)
    pdf.ln(1)
