"""The waiting list's offer mail (orders/waiting_list.py): which seats are held for the entry,
until when, a link that opens their checkout and one that passes, in the entry's language.
The links' secret is in the URL's fragment, never sent to a server (web/waiting_list.py)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from catalog.selectors import seats_of_hold
from core.localformat import digits, money, when
from orders.models import OrderMail
from orders.waiting_list import offer_expires_at, offer_secret
from reservations.models import WaitingEntry


def offer_url(secret: str, *, decline: bool = False) -> str:
    path = reverse("waiting-list-offer") + ("?decline=1" if decline else "")
    return f"{settings.SANDALI_PUBLIC_URL.rstrip('/')}{path}#{secret}"


def compose_offer_mail(mail: OrderMail) -> EmailMultiAlternatives:
    entry = WaitingEntry.objects.select_related("performance__event").get(pk=mail.waiting_entry_id)
    performance = entry.performance
    zone = performance.event.time_zone
    secret = offer_secret(entry.offer_seed)
    seats = seats_of_hold(hold_id=entry.hold_id) if entry.hold_id else []
    expires_at = offer_expires_at(entry=entry)
    with translation.override(entry.language):
        values = {
            "event": performance.event.name,
            "when": when(performance.starts_at, zone),
            "count": digits(entry.offered_seats),
            "wanted": digits(entry.quantity),
            "until": when(expires_at, zone) if expires_at else "",
        }
        context = {
            **values,
            "subject": gettext("Seats are held for you: %(event)s, %(when)s") % values,
            "fewer": entry.offered_seats < entry.quantity,
            "seats": [
                {
                    "section": seat.section,
                    "row": digits(seat.row),
                    "number": digits(seat.number),
                    "standing": seat.standing,
                    "ticket_type": seat.ticket_type,
                    "price": money(seat.price, performance.event.currency),
                }
                for seat in seats
            ],
            "accept_url": offer_url(secret),
            "decline_url": offer_url(secret, decline=True),
            "rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
        }
        text = render_to_string("delivery/mail/waiting_offer.txt", context)
        html = render_to_string("delivery/mail/waiting_offer.html", context)
    message = EmailMultiAlternatives(subject=context["subject"], body=text, to=[entry.email])
    message.attach_alternative(html, "text/html")
    return message
