"""The mails to an order's buyer (delivery/mail.py), as composed for the outbox: in the
order's language, plain text and HTML, with what the buyer needs to know."""

import io
import re

import jdatetime
import pytest
from django.utils import translation
from django.utils.timezone import localtime
from pypdf import PdfReader

from delivery.mail import compose_order_mail
from orders.cancellation import cancel_order
from orders.checkout import checkout
from orders.models import MailKind, OrderMail
from orders.outbox import record_mail
from reservations.services import hold_seats
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def buy(performance, language):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[4:6])
    return checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="Ava",
                    email="ava@example.org", language=language).order  # fmt: skip


def composed(order, kind):
    return compose_order_mail(OrderMail.objects.get(order=order, kind=kind))


def parts(message) -> tuple[str, str]:
    (html, _), = message.alternatives  # fmt: skip
    return message.body, html


def test_the_persian_confirmation_reads_right_to_left_with_a_jalali_date(performance):
    order = buy(performance, "fa")
    with translation.override("en"):
        message = composed(order, MailKind.CONFIRMATION)
        assert translation.get_language() == "en"  # the buyer's language did not leak out
    text, html = parts(message)
    jalali = jdatetime.datetime.fromgregorian(datetime=localtime(performance.starts_at))
    year = str(jalali.year).translate(PERSIAN)
    assert message.subject.startswith("بلیت‌های شما: Test concert، ") and year in message.subject
    assert message.to == ["Ava <ava@example.org>"]
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    assert "Section 1 · ردیف A · صندلی ۵ · Normal · ۲۰ EUR" in text
    assert "Section 1 · ردیف B · صندلی ۱ · Student · ۱۰ EUR" in text and "جمع: ۳۰ EUR" in text
    assert "Thank you" not in text and "Seat" not in html


def test_the_english_confirmation_has_the_event_the_time_the_seats_and_the_total(performance):
    order = buy(performance, "en")
    text, html = parts(composed(order, MailKind.CONFIRMATION))
    when = localtime(performance.starts_at)
    assert f"{when:%A} {when.day} {when:%B %Y}" in text
    assert "Section 1 · Row A · Seat 5 · Normal · 20 EUR" in text
    assert "Section 1 · Row B · Seat 1 · Student · 10 EUR" in text
    assert "Total: 30 EUR" in text and "Test hall" in text
    for ticket in order.tickets.all():
        assert ticket.code in text and ticket.code in html
    assert 'dir="ltr"' in html and "<td>Normal</td>" in html


def test_the_persian_cancellation_says_what_was_cancelled_and_refunded(performance):
    order = buy(performance, "fa")
    cancel_order(order_id=order.pk)
    message = composed(order, MailKind.CANCELLATION)
    text, html = parts(message)
    number = str(order.pk).translate(PERSIAN)
    assert message.subject == f"سفارش {number} لغو و مبلغ آن بازپرداخت شد: Test concert"
    assert "مبلغ ۳۰ EUR به همان روشی که با آن پرداخت کردید بازگردانده شد." in text
    assert "دیگر معتبر نیستند" in text and 'dir="rtl"' in html


def test_tickets_sent_again_say_so(performance):
    order = buy(performance, "en")
    record_mail(order_id=order.pk, kind=MailKind.RESEND)
    message = composed(order, MailKind.RESEND)
    assert message.subject.startswith("Your tickets, sent again: Test concert, ")
    assert "Here are your tickets again." in message.body


def test_the_confirmation_links_to_the_tickets_on_any_device(performance, settings):
    from django.test import Client

    settings.SANDALI_PUBLIC_URL = "https://tickets.example.org"
    order = buy(performance, "en")
    text, html = parts(composed(order, MailKind.CONFIRMATION))
    (url,) = re.findall(r"https://tickets\.example\.org/orders/open#\S+", text)
    assert url in html
    phone = Client()
    opened = phone.post("/orders/open", {"secret": url.split("#", 1)[1]})
    assert opened["Location"] == f"/orders/{order.pk}/"
    assert phone.get(opened["Location"]).status_code == 200


def test_a_cancellation_carries_no_link_to_tickets(performance):
    order = buy(performance, "en")
    cancel_order(order_id=order.pk)
    text, html = parts(composed(order, MailKind.CANCELLATION))
    assert "/orders/open" not in text and "/orders/open" not in html


def test_the_confirmation_carries_the_tickets_as_a_pdf_in_the_buyers_language(performance):
    order = buy(performance, "fa")
    message = composed(order, MailKind.CONFIRMATION)
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (f"sandali-order-{order.pk}.pdf", "application/pdf")
    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2
    assert "بلیت" in pages[0].extract_text()
    assert "PDF" in message.body and "پیوست" in message.body


def test_a_cancellation_and_a_confirmation_sent_after_its_order_was_cancelled_carry_no_tickets(
    performance,
):
    order = buy(performance, "en")
    cancel_order(order_id=order.pk)
    for kind in (MailKind.CONFIRMATION, MailKind.CANCELLATION):
        message = composed(order, kind)
        assert message.attachments == [] and "as a PDF" not in message.body
