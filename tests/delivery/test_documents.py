"""An order's tickets as a PDF (delivery/documents.py): one page per valid ticket with what a
door and a buyer need, Persian shaped and right to left in the shipped font, and a QR code
that holds the ticket's signed pass."""

import pytest
from django.utils import translation
from fontTools.ttLib import TTFont

from catalog.models import Event
from core.localformat import when
from delivery.documents import FONT_URLS, FONTS_DIR, tickets_pdf
from delivery.errors import NoValidTickets
from delivery.rendering import ListedFilesOnly
from orders.cancellation import cancel_order
from orders.checkout import checkout
from orders.errors import OrderNotFound
from orders.models import Ticket
from orders.passes import TicketPass, read_pass, ticket_pass
from reservations.services import hold_seats
from tests.factories import seat_ids
from tests.pdfs import (
    embedded_fonts,
    glyphs_drawn,
    page_texts,
    pdf_pages,
    pypdf_numbers_righted,
    scanned_codes,
    text_runs_with_x,
)

pytestmark = pytest.mark.django_db

PERSIAN_EVENT = "کنسرت سنتی"  # "a traditional concert"
PERSIAN_VENUE = "تالار وحدت"


def buy(performance, positions=(0, 1)):
    """An order for the performance's seats at these positions (make_performance: the first
    five seats of a section are Normal at 20, the next five Student at 10)."""
    ids = seat_ids(performance)
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[i] for i in positions])
    return checkout(
        hold_id=held.hold.pk,
        token=held.token,
        idempotency_key="pdf",
        name="Ava",
        email="ava@example.org",
    ).order


def printed_code(code: str) -> str:
    """A ticket's code as printed, in groups of four."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def in_persian(performance) -> None:
    Event.objects.filter(pk=performance.event_id).update(name=PERSIAN_EVENT, venue=PERSIAN_VENUE)


def test_english_pdf_shows_event_venue_seat_ticket_type_price_and_order_reference(performance):
    order = buy(performance, positions=(5,))
    (text,) = page_texts(tickets_pdf(order_id=order.pk, language="en"))
    ticket = order.tickets.select_related("seat__section").get()
    for shown in (
        "Test concert",
        "Test hall",
        f"Section 1 {ticket.seat.row} {ticket.seat.number}",  # section, row, seat
        "Student",
        "10 EUR",
        f"Order {order.pk}",
        printed_code(ticket.code),
    ):
        assert shown in text, (shown, text)
    with translation.override("en"):
        assert when(performance.starts_at) in text


def test_each_valid_ticket_gets_a_page_and_a_void_ticket_none(performance):
    order = buy(performance, positions=(0, 1, 2))
    first, void, last = order.tickets.order_by("seat_id")
    Ticket.objects.filter(pk=void.pk).update(valid=False)  # planted: one ticket voided alone
    texts = page_texts(tickets_pdf(order_id=order.pk, language="en"))
    assert len(texts) == 2
    assert printed_code(first.code) in texts[0] and "Ticket 1 of 2" in texts[0]
    assert printed_code(last.code) in texts[1] and "Ticket 2 of 2" in texts[1]


def test_a_cancelled_order_has_no_pdf(performance):
    order = buy(performance)
    cancel_order(order_id=order.pk)
    with pytest.raises(NoValidTickets):
        tickets_pdf(order_id=order.pk, language="en")


def test_an_unknown_order_has_no_pdf(db):
    with pytest.raises(OrderNotFound):
        tickets_pdf(order_id=999_999, language="en")


def test_persian_pdf_text_has_the_event_and_the_jalali_date_in_logical_order(performance):
    """pypdf gives the letters in logical order; it reverses numbers that stand among Persian
    words, which pypdf_numbers_righted undoes (tests/pdfs.py says why)."""
    in_persian(performance)
    order = buy(performance, positions=(0,))
    (text,) = page_texts(tickets_pdf(order_id=order.pk, language="fa"))
    assert PERSIAN_EVENT in text and PERSIAN_VENUE in text
    with translation.override("fa"):
        jalali = when(performance.starts_at)  # "چهارشنبه ۱۸ آذر ۱۴۰۵، ۱۹:۳۰"
    # The zero-width non-joiner inside "پنج‌شنبه" (Thursday) keeps ج and ش apart when drawn,
    # but a PDF's text has no character for it: compared without it, whatever day it is.
    assert jalali.replace("\u200c", "") in pypdf_numbers_righted(text).replace("\u200c", "")
    # Letters, never presentation forms: the text can be searched and copied as typed.
    assert not any("\ufb50" <= c <= "\ufdff" or "\ufe70" <= c <= "\ufeff" for c in text)


def test_persian_letters_are_drawn_in_their_joined_forms(performance):
    """Shaped by HarfBuzz: in "کنسرت سنتی" the letters ک ن س only ever join a neighbour, so
    each is drawn with a contextual glyph of the font, never with the isolated glyph the font's
    character map gives it; unshaped text would use exactly that one."""
    in_persian(performance)
    order = buy(performance, positions=(0,))
    drawn = glyphs_drawn(tickets_pdf(order_id=order.pk, language="fa"), font="Vazirmatn-Bold")
    font = TTFont(FONTS_DIR / "Vazirmatn-Bold.ttf")
    isolated = {letter: font.getGlyphID(font.getBestCmap()[ord(letter)]) for letter in "کنس"}
    for letter, glyph in isolated.items():
        assert drawn[letter] and glyph not in drawn[letter], (letter, glyph, drawn[letter])


def test_persian_ticket_is_set_from_the_right(performance):
    in_persian(performance)
    order = buy(performance, positions=(0,))
    x = {}
    for language in ("en", "fa"):
        (page,) = pdf_pages(tickets_pdf(order_id=order.pk, language=language))
        x[language] = dict(text_runs_with_x(page))[PERSIAN_EVENT]
        width = float(page.mediabox.width)
    assert x["en"] < width / 4 < width / 2 < x["fa"]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_pdf_embeds_the_shipped_font_not_a_system_one(performance, language):
    in_persian(performance)
    order = buy(performance, positions=(0,))
    fonts = embedded_fonts(tickets_pdf(order_id=order.pk, language=language))
    assert fonts == {"Vazirmatn", "Vazirmatn-Bold"}


def test_each_pages_qr_code_holds_its_tickets_signed_pass(performance):
    order = buy(performance, positions=(0, 6))
    pages = pdf_pages(tickets_pdf(order_id=order.pk, language="en"))
    tickets = order.tickets.order_by("seat_id")
    for page, ticket in zip(pages, tickets, strict=True):
        (scanned,) = scanned_codes(page)
        assert scanned == ticket_pass(performance_id=performance.pk, code=ticket.code)
        assert read_pass(scanned) == TicketPass(code=ticket.code, performance_id=performance.pk)


@pytest.mark.parametrize(
    "url", ["https://example.org/logo.png", "file:///etc/passwd", "ftp://example.org/x"]
)
def test_a_ticket_fetches_nothing_but_its_fonts_and_data_uris(url):
    fetcher = ListedFilesOnly(FONT_URLS.values())
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.fetch(FONT_URLS["regular"]).read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
