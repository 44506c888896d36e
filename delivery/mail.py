"""The mails to an order's buyer, as the outbox (orders/outbox.py) sends them: the confirmation
with the order's tickets, the cancellation with its refund, and the tickets sent again, each
in the buyer's language (Persian right to left, with Jalali dates and Persian digits), as plain
text and as HTML. Named by SANDALI_MAIL_COMPOSER; the outbox adds the Message-ID and sends.
"""

from email.utils import formataddr

import jdatetime
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.timezone import localtime
from django.utils.translation import gettext

from core.errors import PERSIAN_DIGITS
from orders.models import MailKind, Order, OrderMail
from orders.selectors import order_tickets

TEMPLATE_OF_KIND = {
    MailKind.CONFIRMATION: "tickets",
    MailKind.RESEND: "tickets",
    MailKind.CANCELLATION: "cancellation",
}


def compose_order_mail(mail: OrderMail) -> EmailMultiAlternatives:
    """The mail, addressed to the order's buyer, in the order's language."""
    order = Order.objects.select_related("performance__event").get(pk=mail.order_id)
    with translation.override(order.language):
        context = _context(order, mail.kind)
        template = f"delivery/mail/{TEMPLATE_OF_KIND[MailKind(mail.kind)]}"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=context["subject"], body=text, to=[formataddr((order.name, order.email))]
    )
    message.attach_alternative(html, "text/html")
    # The tickets as a PDF (sandali-order-<id>.pdf) join the confirmation once the tickets-pdf
    # branch's delivery/documents.py is merged.
    return message


def _context(order: Order, kind: str) -> dict:
    event = order.performance.event
    persian = translation.get_language() == "fa"
    values = {
        "order": _digits(order.pk, persian),
        "event": event.name,
        "when": _when(order.performance.starts_at, persian),
    }
    if kind == MailKind.CANCELLATION:
        subject = gettext("Order %(order)s cancelled and refunded: %(event)s") % values
    elif kind == MailKind.RESEND:
        subject = gettext("Your tickets, sent again: %(event)s, %(when)s") % values
    else:
        subject = gettext("Your tickets: %(event)s, %(when)s") % values
    tickets = [
        {
            "section": ticket.section,
            "row": _digits(ticket.row, persian),
            "number": _digits(ticket.number, persian),
            "ticket_type": ticket.ticket_type,
            "price": _money(ticket.price, order.currency, persian),
            "code": ticket.code,
        }
        for ticket in order_tickets(order=order)
    ]
    return {
        **values,
        "subject": subject,
        "kind": kind,
        "name": order.name,
        "venue": event.venue,
        "tickets": tickets,
        "total": _money(order.total, order.currency, persian),
        "rtl": translation.get_language_bidi(),
        "language": translation.get_language(),
        # TODO(lead): the link that opens this order's tickets on any device (orders/access.py,
        # not written yet). The templates show it when it is set.
        "tickets_url": None,
    }


# TODO(lead): the same formats as web/templatetags/sandali.py (when, money, digits), which the
# tickets-pdf branch moves to core/. Written again here because delivery may not import web;
# once they are in core/, use those and delete these three.
def _digits(value, persian: bool) -> str:
    text = str(value)
    return text.translate(PERSIAN_DIGITS) if persian else text


def _when(moment, persian: bool) -> str:
    """A performance time: Jalali in Persian ("شنبه ۴ دی ۱۴۰۵، ۱۹:۳۰"), Gregorian otherwise."""
    moment = localtime(moment)
    if persian:
        jalali = jdatetime.datetime.fromgregorian(datetime=moment, locale="fa_IR")
        return jalali.strftime(f"%A {jalali.day} %B %Y، %H:%M").translate(PERSIAN_DIGITS)
    return formats.date_format(moment, "l j F Y, H:i")


def _money(value, currency: str, persian: bool) -> str:
    text = f"{value:,.2f}".removesuffix(".00")
    text = f"{text} {currency}".strip()
    return text.translate(PERSIAN_DIGITS).replace(",", "٬") if persian else text
