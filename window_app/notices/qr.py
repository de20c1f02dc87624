"""The QR code a notice carries (the tracking link), as PNG for the PDF and SVG for HTML."""

from __future__ import annotations

import io

import segno


def qr_png(link: str) -> io.BytesIO:
    """``link`` as a QR code image (PNG, black on white, the quiet zone included)."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return buffer


def qr_svg(link: str) -> str:
    """``link`` as an inline SVG element (for the HTML notice)."""
    return segno.make(link, error="m", micro=False).svg_inline(scale=4, border=4)
