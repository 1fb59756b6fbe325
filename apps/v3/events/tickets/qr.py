"""A ticket's QR code: the address of its ticket page, so any phone camera at the door opens it."""

from __future__ import annotations

import io
from html import escape

import segno

# Error correction M survives a creased or partly smudged printout; the quiet zone (border) is the
# four modules the standard asks for, or scanners miss codes printed close to other ink.
_ERROR = "m"
_BORDER = 4


def qr_svg(text: str, title: str) -> str:
    """An inline ``<svg>`` of ``text``'s QR code, with ``title`` as its accessible name."""
    code = segno.make(text, error=_ERROR)
    svg: str = code.svg_inline(scale=4, border=_BORDER, title=title, svgclass="qr", lineclass=None)
    # An <svg> is an image to assistive technology only with role="img" and a name of its own.
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)


def qr_png(text: str) -> bytes:
    """The QR code of ``text`` as a PNG, for mail clients that show no inline SVG."""
    buffer = io.BytesIO()
    segno.make(text, error=_ERROR).save(buffer, kind="png", scale=5, border=_BORDER)
    return buffer.getvalue()
