"""The mails to an order's buyer, as the outbox (orders/outbox.py) sends them: the confirmation
with the order's tickets, the cancellation with its refund, and the tickets sent again, each
in the buyer's language (Persian right to left, with Jalali dates and Persian digits), as plain
text and as HTML; the confirmation and the tickets sent again carry the tickets as a PDF
(delivery/documents.py). Named by SANDALI_MAIL_COMPOSER; the outbox adds the Message-ID and
sends.
"""

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.localformat import digits, money, when
from delivery.documents import tickets_filename, tickets_pdf
from delivery.waiting_list_mail import compose_offer_mail
from orders.access import issue_access_link
from orders.models import MailKind, Order, OrderMail, OrderStatus, PaymentAttempt, RefundReason
from orders.selectors import order_tickets

TEMPLATE_OF_KIND = {
    MailKind.CONFIRMATION: "tickets",
    MailKind.RESEND: "tickets",
    MailKind.CHANGED: "tickets",
    MailKind.CANCELLATION: "cancellation",
    MailKind.PAYMENT_REFUNDED: "refund",
}


def compose_order_mail(mail: OrderMail) -> EmailMultiAlternatives:
    """The mail, addressed to the order's buyer, in the order's language."""
    if mail.kind == MailKind.PAYMENT_REFUNDED:
        return _refund_mail(mail)
    if mail.kind == MailKind.WAITING_OFFER:  # no order yet: delivery/waiting_list_mail.py
        return compose_offer_mail(mail)
    order = Order.objects.select_related("performance__event").get(pk=mail.order_id)
    # A confirmation sent after its order was cancelled (the mail server was down until then)
    # goes without tickets: the cancellation's mail follows it.
    with_pdf = mail.kind != MailKind.CANCELLATION and order.status == OrderStatus.PAID
    with translation.override(order.language):
        context = {**_context(order, mail.kind), "with_pdf": with_pdf}
        if with_pdf:
            context["tickets_url"] = tickets_url(order_id=order.pk)
        template = f"delivery/mail/{TEMPLATE_OF_KIND[MailKind(mail.kind)]}"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=context["subject"], body=text, to=[formataddr((order.name, order.email))]
    )
    message.attach_alternative(html, "text/html")
    if with_pdf:
        pdf = tickets_pdf(order_id=order.pk, language=order.language)
        message.attach(tickets_filename(order_id=order.pk), pdf, "application/pdf")
    return message


def _refund_mail(mail: OrderMail) -> EmailMultiAlternatives:
    """A payment approved after its hold had lost its seats (expired while the buyer paid, or
    changed), refunded: the buyer has no tickets and is told that the money is back. Or a late
    payment (made at a page whose try had ended, orders/redirect.py _refund_late), refunded by
    its own amount: the buyer is told this payment bought nothing, whatever another did."""
    attempt = PaymentAttempt.objects.select_related("hold__performance__event").get(
        pk=mail.payment_attempt_id
    )
    visit = mail.gateway_visit
    amount = attempt.amount if visit is None or visit.amount is None else visit.amount
    performance = attempt.hold.performance
    with translation.override(attempt.language):
        values = {
            "event": performance.event.name,
            "when": when(performance.starts_at, performance.event.time_zone),
            "total": money(amount, attempt.currency),
        }
        context = {
            **values,
            "name": attempt.name,
            "late": visit is not None,
            "expired": attempt.refund_reason == RefundReason.HOLD_EXPIRED,
            "subject": gettext("Your payment was refunded: %(event)s, %(when)s") % values,
            "rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
        }
        text = render_to_string("delivery/mail/refund.txt", context)
        html = render_to_string("delivery/mail/refund.html", context)
    message = EmailMultiAlternatives(
        subject=context["subject"], body=text, to=[formataddr((attempt.name, attempt.email))]
    )
    message.attach_alternative(html, "text/html")
    return message


def tickets_url(*, order_id: int) -> str:
    """A new link that opens the order's tickets on any device: its secret in the fragment,
    which the browser never sends to a server (orders/access.py)."""
    secret = issue_access_link(order_id=order_id)
    return f"{settings.SANDALI_PUBLIC_URL.rstrip('/')}{reverse('ticket-link')}#{secret}"


def _context(order: Order, kind: str) -> dict:
    """What the templates show, every text in the active language and its digits."""
    event = order.performance.event
    values = {
        "order": digits(order.pk),
        "event": event.name,
        "when": when(order.performance.starts_at, order.performance.event.time_zone),
    }
    if kind == MailKind.CANCELLATION:
        subject = gettext("Order %(order)s cancelled and refunded: %(event)s") % values
    elif kind == MailKind.RESEND:
        subject = gettext("Your tickets, sent again: %(event)s, %(when)s") % values
    elif kind == MailKind.CHANGED:
        subject = gettext("Your order was changed: %(event)s, %(when)s") % values
    else:
        subject = gettext("Your tickets: %(event)s, %(when)s") % values
    # A paid order's mail lists the tickets that open the door now (staff may have moved or
    # cancelled some); a cancellation lists what was cancelled.
    listed = [
        ticket
        for ticket in order_tickets(order=order)
        if ticket.valid or kind == MailKind.CANCELLATION
    ]
    total = order.total if kind == MailKind.CANCELLATION else sum(t.price for t in listed)
    tickets = [
        {
            "section": ticket.section,
            "row": digits(ticket.row),
            "number": digits(ticket.number),
            "standing": ticket.standing,
            "ticket_type": ticket.ticket_type,
            "price": money(ticket.price, order.currency),
            "code": ticket.code,
        }
        for ticket in listed
    ]
    return {
        **values,
        "subject": subject,
        "kind": kind,
        "name": order.name,
        "venue": event.venue,
        "tickets": tickets,
        "total": money(total, order.currency),
        "rtl": translation.get_language_bidi(),
        "language": translation.get_language(),
        "tickets_url": None,  # set for a mail that carries tickets (compose_order_mail)
    }
