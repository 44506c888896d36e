"""Selling a channel's house seats at the box office: from the performance's house seats, "Sell
at the box office" lists the seats still held back for that channel; the ones staff tick
become the desk's hold (backoffice/house_seats.py hold_held_back, made with the desk's token)
and the box office page opens with them chosen, to be sold as any desk sale (cash, card,
complimentary with a reason).

The desk keeps one hold per performance in the admin's session; a live one with seats in it is
the customer in front of the desk, so this page refuses (`desk_hold_open`) rather than drop
it: staff sell it or give it back with "Next customer" first. A performance the desk may not
sell (a draft, outside its sales window) is refused before its seats leave the channel. Same
permission as the desk.
"""

import secrets

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backoffice.errors import DeskHoldOpen, DeskNotOnSale, NoChannelSeatsChosen
from backoffice.house_seats import DESK_HOLD_MINUTES, hold_held_back
from catalog.errors import InvalidSeats
from catalog.house_seats import waiting_seats
from catalog.models import HeldBackSeat
from core.errors import DomainError
from core.localformat import digits, money
from ops.admin.box_office import desk_allowed, desk_on_sale, refusing
from ops.admin.desk_selection import desk_selection, desk_token, remember_desk_hold


class ChannelSalePages:
    """PerformanceAdmin's page that hands a channel's held-back seats to the box office."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/house-seats/sell/",
                self.admin_site.admin_view(refusing(self, self.sell_channel_view, as_json=False)),
                name="catalog_performance_sell_channel",
            ),
            *super().get_urls(),
        ]

    def sell_channel_view(self, request, object_id):
        performance = self.get_object(request, unquote(object_id))
        desk_allowed(self, request, performance)
        channel = request.POST.get("channel") or request.GET.get("channel") or ""
        if not HeldBackSeat.objects.filter(performance=performance, channel=channel).exists():
            raise Http404
        error = None
        if request.method == "POST":
            try:
                held = self._hold_at_desk(request, performance, channel)
            except DomainError as failure:
                error = failure.message
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)s seat of “%(channel)s” is held at the desk for %(minutes)s "
                        "minutes: sell it below.",
                        "%(count)s seats of “%(channel)s” are held at the desk for %(minutes)s "
                        "minutes: sell them below.",
                        len(held.seat_ids),
                    )
                    % {"count": digits(len(held.seat_ids)), "channel": channel,
                       "minutes": digits(DESK_HOLD_MINUTES)},
                    messages.SUCCESS,
                )  # fmt: skip
                box_office = reverse("admin:catalog_performance_box_office", args=[performance.pk])
                return HttpResponseRedirect(box_office)
        currency = performance.event.currency
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sell seats of “%(channel)s” at the box office") % {"channel": channel},
            "opts": self.opts,
            "original": performance,
            "channel": channel,
            "error": error,
            "chosen": {str(seat_id) for seat_id in request.POST.getlist("seat")},
            "seats": [
                {
                    "id": seat.id,
                    "section": seat.section,
                    "row": digits(seat.row),
                    "number": digits(seat.number),
                    "ticket_type": seat.ticket_type,
                    "price": money(seat.price, currency),
                }
                for seat in waiting_seats(performance_id=performance.pk, channel=channel)
            ],
            "back": reverse("admin:catalog_performance_change", args=[performance.pk]),
        }
        return TemplateResponse(request, "admin/catalog/performance/sell_channel.html", context)

    def _hold_at_desk(self, request, performance, channel: str):
        """The ticked seats as the desk's hold, kept in the session as the desk keeps its own."""
        if not desk_on_sale(performance):  # the sale would refuse: keep the seats waiting
            raise DeskNotOnSale()
        if desk_selection(request, performance.pk)["seats"]:
            raise DeskHoldOpen()
        asked = request.POST.getlist("seat")
        if not asked:
            raise NoChannelSeatsChosen()
        if not all(value.isdigit() for value in asked):
            raise InvalidSeats(seats=[])
        seed = secrets.token_urlsafe(32)
        held = hold_held_back(
            performance_id=performance.pk,
            channel=channel,
            seat_ids=[int(value) for value in asked],
            token=desk_token(seed),
        )
        remember_desk_hold(request, performance.pk, held.hold_id, seed)
        return held


def sell_url(performance_id: int, channel: str) -> str:
    url = reverse("admin:catalog_performance_sell_channel", args=[performance_id])
    return f"{url}?{urlencode({'channel': channel})}"
