"""Every notice kind through one renderer: a PDF where a Chinese font is found, else HTML."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from window_app.domain.words import NO_WORDS, Words
from window_app.notices.fonts import find_chinese_font
from window_app.notices.html import write_html
from window_app.notices.model import Notice
from window_app.notices.pdf import write_pdf

NO_FONT = Words(
    "本机未找到中文字体，无法生成 PDF；已改为生成 HTML 文件，可用浏览器打开并打印。"
    "（可在 config.toml 的 [print] font 中指定字体文件，如 C:\\Windows\\Fonts\\simsun.ttc）",
    "No Chinese font was found on this computer, so no PDF could be made; an HTML file was written "
    "instead: open it in a browser and print it. (Name a font file in config.toml, [print] font, "
    "e.g. C:\\Windows\\Fonts\\simsun.ttc.)",
)


@dataclass(frozen=True)
class Rendered:
    """A notice written to a file.

    Attributes:
        path: The file (``.pdf``, or ``.html`` when no Chinese font was found).
        pages: The PDF's page count (1 for HTML).
        note: Why the file is not a PDF, in words; empty for a PDF.
    """

    path: Path
    pages: int
    note: Words = NO_WORDS

    @property
    def is_pdf(self) -> bool:
        return self.path.suffix == ".pdf"


def render_notice(
    notice: Notice,
    path: Path,
    *,
    paper: str = "a4",
    font: str = "",
    font_dirs: Sequence[Path] | None = None,
) -> Rendered:
    """Write ``notice`` to ``path`` (its suffix replaced by ``.pdf`` or ``.html``).

    Args:
        paper: ``a4`` or ``80mm`` (``[print] paper``).
        font: ``[print] font``: a font file with Chinese glyphs; empty: found on the system.
        font_dirs: Where to look for a font instead of the system's places.

    The file is the applicant's (a name, a masked ID number): readable by this user only, and
    written whole or not at all (a temporary file renamed into place), so a printer never
    takes half a notice and an old notice is never left half overwritten.

    Raises:
        OSError: The file could not be written.
    """
    found = find_chinese_font(font, font_dirs)
    if found is None:
        html = path.with_suffix(".html")
        _write_whole(html, lambda temporary: write_html(notice, temporary, paper))
        return Rendered(html, 1, NO_FONT)
    pdf = path.with_suffix(".pdf")
    pages = _write_whole(pdf, lambda temporary: write_pdf(notice, temporary, found, paper))
    return Rendered(pdf, pages)


def _write_whole(path: Path, write: Callable[[Path], int | None]) -> int:
    """``write`` to a temporary sibling of ``path`` (mode 0600), then rename it over ``path``;
    the page count ``write`` returns (1 when it returns none)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)  # 0600, unique
    os.close(handle)
    temporary = Path(name)
    try:
        pages = write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return pages or 1
