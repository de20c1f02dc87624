"""A notice as an HTML file: where no Chinese font is found, a browser prints it (every browser
brings Chinese glyphs), with the same words and the same QR code as the PDF."""

from __future__ import annotations

from html import escape
from pathlib import Path

from window_app.domain.words import language, tr
from window_app.notices.model import Notice
from window_app.notices.qr import qr_svg

_STYLE = """
body { font-family: "SimSun", "Microsoft YaHei", "Noto Sans CJK SC", "PingFang SC", sans-serif;
       max-width: 180mm; margin: 12mm auto; font-size: 11pt; }
body.roll { max-width: 72mm; margin: 4mm; font-size: 8pt; }
h1 { font-size: 1.6em; text-align: center; margin: 0.2em 0; }
.centre, .reference, .qr { text-align: center; }
h2 { font-size: 1.1em; border-top: 1px solid #999; padding-top: 0.4em; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; vertical-align: top; white-space: nowrap; padding-right: 1em; font-weight: normal; }
td { vertical-align: top; }
.signature { margin-top: 1.5em; }
@media print { body { margin: 0 auto; } }
"""


def write_html(notice: Notice, path: Path, paper: str = "a4") -> None:
    """Write ``notice`` to ``path`` as a self-contained HTML page (the QR code inline)."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(notice.title)} {escape(notice.reference)}</title><style>{_STYLE}</style></head>",
        f'<body class="{"roll" if paper == "80mm" else "sheet"}">',
        f'<p class="centre">{escape(notice.centre)}</p>',
        f"<h1>{escape(notice.title)}</h1>",
        f'<p class="reference">{escape(tr("编号：{no}", "No. {no}", no=notice.reference))}</p>',
    ]
    for section in notice.sections:
        if section.heading:
            parts.append(f"<h2>{escape(section.heading)}</h2>")
        parts.append("<table>")
        for row in section.rows:
            if row.label:
                parts.append(f"<tr><th>{escape(row.label)}</th><td>{escape(row.value)}</td></tr>")
            else:
                parts.append(f'<tr><td colspan="2">{escape(row.value)}</td></tr>')
        parts.append("</table>")
    if notice.qr_link:
        caption = escape(tr("扫码查询办理进度", "Scan to see the progress"))
        parts.append(f'<div class="qr">{qr_svg(notice.qr_link)}<br>{caption}</div>')
    parts += [f'<p class="signature">{escape(line)}</p>' for line in notice.signatures]
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
