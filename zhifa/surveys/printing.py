"""Printed matter (no ORM): QR posters (A4, A6 table card) and the sheet of one-time act codes, as PDF.

QR codes come from segno and are drawn as vector squares; Chinese text uses ReportLab's built-in CID font
STSong-Light (no font file needed, DESIGN.md §1).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
SIZES = {"a4": A4, "a6": A6}
PRIVACY_LINE = "匿名评价：不收集姓名、手机号或网络地址，约 20 秒完成"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def draw_qr(canvas: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    """A QR code (error correction M) as black squares, lower-left corner at (x, y), `size` wide incl. quiet zone."""
    qr = segno.make(data, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=2))
    cell = size / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _centred(canvas: Canvas, text: str, y: float, size: float, width: float) -> None:
    canvas.setFont(_font(), size)
    canvas.drawCentredString(width / 2, y, text)


@dataclass(frozen=True)
class Poster:
    heading: str  # e.g. the officer's name, or the unit / window name
    lines: list[str]  # under the heading: unit, certificate number…
    url: str


def poster_pdf(poster: Poster, *, size: str = "a4") -> bytes:
    """One poster page: title, who is rated, the QR code, the address and what is kept; ValueError for a bad size."""
    if size not in SIZES:
        raise ValueError(size)
    width, height = SIZES[size]
    k = width / A4[0]  # A6 is the A4 layout scaled down
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(f"群众满意度评价 - {poster.heading}")
    _centred(canvas, "群众满意度评价", height - 30 * mm * k, 30 * k, width)
    _centred(canvas, "请对本次执法或服务进行评价", height - 42 * mm * k, 14 * k, width)
    _centred(canvas, poster.heading, height - 62 * mm * k, 26 * k, width)
    for i, line in enumerate(poster.lines):
        _centred(canvas, line, height - (72 + 8 * i) * mm * k, 13 * k, width)
    qr_size = 110 * mm * k
    qr_y = height - (88 + 8 * len(poster.lines)) * mm * k - qr_size
    draw_qr(canvas, poster.url, x=(width - qr_size) / 2, y=qr_y, size=qr_size)
    _centred(canvas, "微信或手机相机扫码", qr_y - 8 * mm * k, 14 * k, width)
    _centred(canvas, PRIVACY_LINE, qr_y - 16 * mm * k, 11 * k, width)
    canvas.setFont("Helvetica", 7 * k if size == "a4" else 5)
    canvas.drawCentredString(width / 2, 10 * mm * k, poster.url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class ActCard:
    act_number: str
    who: str
    short_code: str
    url: str


def act_sheet_pdf(cards: list[ActCard], *, short_url: str, expires: str) -> bytes:
    """A4 pages of 3 × 4 cards: a QR code, the short code and how to use it, to cut out and hand over."""
    width, height = A4
    cols, rows = 3, 4
    cell_w, cell_h = width / cols, height / rows
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle("执法行为一次性评价码")
    for index, card in enumerate(cards):
        slot = index % (cols * rows)
        if index and slot == 0:
            canvas.showPage()
        col, row = slot % cols, slot // cols
        x0, y0 = col * cell_w, height - (row + 1) * cell_h
        canvas.setDash(2, 3)
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.rect(x0 + 2, y0 + 2, cell_w - 4, cell_h - 4, stroke=1, fill=0)
        canvas.setDash()
        draw_qr(canvas, card.url, x=x0 + (cell_w - 38 * mm) / 2, y=y0 + cell_h - 44 * mm, size=38 * mm)
        canvas.setFont(_font(), 9)
        canvas.drawCentredString(x0 + cell_w / 2, y0 + 22 * mm, f"群众满意度评价 · {card.who}"[:24])
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawCentredString(x0 + cell_w / 2, y0 + 15 * mm, card.short_code)
        canvas.setFont(_font(), 7)
        canvas.drawCentredString(x0 + cell_w / 2, y0 + 10 * mm, f"文书 {card.act_number} · 仅限一次 · {expires}前有效")
        canvas.setFont("Helvetica", 6)
        canvas.drawCentredString(x0 + cell_w / 2, y0 + 5 * mm, short_url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
