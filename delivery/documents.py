"""An order's tickets as one PDF: a page (A6) per valid ticket, each with its signed QR pass.

WeasyPrint renders it from a template (templates/delivery/tickets.html). Its text goes through
Pango and HarfBuzz, which shape Persian (each letter in its joined form) and lay it out right
to left by the Unicode bidi algorithm, so nothing here shapes or reorders text by hand; the
PDF maps every glyph back to its letters (ToUnicode), so the text can be searched and copied.

The font is shipped (delivery/fonts/, Vazirmatn under the SIL OFL) and loaded by file URL: a
machine without any Persian font prints the same ticket. Vazirmatn has Latin letters too, so
both languages use it, and a line that mixes them keeps one look. WeasyPrint fetches nothing
else (delivery/rendering.py).

Callers decide who may have the PDF (orders.selectors.owned_order) before asking for it.
"""

from dataclasses import dataclass
from pathlib import Path

import segno
from django.template.loader import render_to_string
from django.utils import translation

from core.localformat import digits, money, when
from delivery.errors import NoValidTickets
from orders.errors import OrderNotFound
from orders.models import Order
from orders.passes import ticket_pass
from orders.selectors import TicketView, order_tickets

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_URLS = {
    "regular": (FONTS_DIR / "Vazirmatn-Regular.ttf").as_uri(),
    "bold": (FONTS_DIR / "Vazirmatn-Bold.ttf").as_uri(),
}
# Pixels per QR module and the quiet zone in modules (4 is the standard's minimum): the image
# is printed at a fixed size without smoothing, so a larger scale only makes it sharper on
# screens that ignore the PDF's "do not interpolate".
QR_SCALE = 4
QR_BORDER = 4


@dataclass(frozen=True)
class PrintedTicket:
    """What one page shows, every text already in the reader's language and digits."""

    event: str
    venue: str
    starts_at: str
    section: str
    row: str
    seat: str
    ticket_type: str
    standing: bool  # a place of a standing area: no row and seat to print
    price: str
    order_reference: str
    code: str
    qr_png: str  # a data: URI of the PNG of the ticket's pass
    position: str  # "1", "2", ... in the reader's digits
    count: str
    wheelchair: bool = False  # the seat is a wheelchair space


def tickets_filename(*, order_id: int) -> str:
    return f"sandali-order-{order_id}.pdf"


def tickets_pdf(*, order_id: int, language: str) -> bytes:
    """The order's valid tickets, one page each, in `language` ("en" or "fa").

    A cancelled order raises NoValidTickets rather than printing void tickets or an empty
    document: whoever asked is told why, in the same words as any refusal."""
    order = Order.objects.select_related("performance__event").filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    tickets = [ticket for ticket in order_tickets(order=order) if ticket.valid]
    if not tickets:
        raise NoValidTickets()
    with translation.override(language):
        printed = [
            _printed_ticket(order, ticket, position=position, count=len(tickets))
            for position, ticket in enumerate(tickets, start=1)
        ]
        html = render_to_string(
            "delivery/tickets.html",
            {"tickets": printed, "order_reference": digits(order.pk), "fonts": FONT_URLS},
        )
    # Imported here: WeasyPrint needs a system library (delivery/rendering.py says why).
    from delivery.rendering import pdf_of_html

    return pdf_of_html(html, files=FONT_URLS.values())


def _printed_ticket(
    order: Order, ticket: TicketView, *, position: int, count: int
) -> PrintedTicket:
    event = order.performance.event
    return PrintedTicket(
        event=event.name,
        venue=event.venue,
        starts_at=when(order.performance.starts_at, order.performance.event.time_zone),
        section=ticket.section,
        row=digits(ticket.row),
        seat=digits(ticket.number),
        ticket_type=ticket.ticket_type,
        standing=ticket.standing,
        price=money(ticket.price, order.currency),
        order_reference=digits(order.pk),
        code=_grouped(ticket.code),
        qr_png=_qr_png(ticket_pass(performance_id=order.performance_id, code=ticket.code)),
        position=digits(position),
        count=digits(count),
        wheelchair=ticket.wheelchair,
    )


def _grouped(code: str) -> str:
    """The code in groups of four, as a person reads it out or types it at the door (the
    door's reader drops the spaces: orders.passes.read_pass)."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _qr_png(text: str) -> str:
    return segno.make(text, error="m").png_data_uri(scale=QR_SCALE, border=QR_BORDER)
