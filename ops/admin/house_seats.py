"""House seats in the organizer's admin (catalog/house_seats.py does the work): the seats
admin's action "Hold back for a channel" (a page asks the channel's name), and on the
performance's page each channel with its seats and "Release to public", which asks for
confirmation first and is written in the performance's admin history."""

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.house_seats import (
    CHANNEL_MAX_LENGTH,
    ChannelSeats,
    channel_seats,
    hold_back_seats,
    release_channel,
)
from catalog.models import Performance, Seat
from core.errors import DomainError
from core.localformat import digits
from ops.admin.channel_sale import sell_url


class ChannelForm(forms.Form):
    channel = forms.CharField(
        label=gettext_lazy("channel"),
        max_length=CHANNEL_MAX_LENGTH,
        help_text=gettext_lazy(
            "Who the seats are kept for, such as “sponsors”, “house” or “press”."
        ),
    )


def hold_back_action(model_admin, request, queryset):
    """The seats admin's action: ask the channel, then hold back the selected seats that are
    free, once per performance, and say which were not free."""
    form = ChannelForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        seats_of = defaultdict(list)
        for performance_id, seat_id in queryset.values_list("performance_id", "id"):
            seats_of[performance_id].append(seat_id)
        for performance_id, seat_ids in sorted(seats_of.items()):
            try:
                result = hold_back_seats(
                    performance_id=performance_id,
                    channel=form.cleaned_data["channel"],
                    seat_ids=seat_ids,
                    actor=request.user.get_username(),
                )
            except DomainError as error:
                model_admin.message_user(request, error.message, messages.ERROR)
                continue
            _report(model_admin, request, result)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Hold back seats for a channel"),
        "opts": model_admin.opts,
        "form": form,
        "seat_ids": list(queryset.order_by("id").values_list("id", flat=True)),
        "count": queryset.count(),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/catalog/seat/hold_back.html", context)


def _report(model_admin, request, result) -> None:
    held = len(result.held)
    model_admin.message_user(
        request,
        ngettext(
            "Held back %(count)d seat for “%(channel)s”.",
            "Held back %(count)d seats for “%(channel)s”.",
            held,
        )
        % {"count": held, "channel": result.channel},
        messages.SUCCESS if held else messages.WARNING,
    )
    if result.not_free:
        names = ", ".join(str(s) for s in Seat.objects.filter(pk__in=result.not_free[:20]))
        more = " …" if len(result.not_free) > 20 else ""
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d seat was not free and is left as it was: %(seats)s",
                "%(count)d seats were not free and are left as they were: %(seats)s",
                len(result.not_free),
            )
            % {"count": len(result.not_free), "seats": names + more},
            messages.WARNING,
        )


class HouseSeatsPages:
    """PerformanceAdmin's list of channels on its page, and the release's confirmation page."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/house-seats/release/",
                self.admin_site.admin_view(self.release_channel_view),
                name="catalog_performance_release_channel",
            ),
            *super().get_urls(),
        ]

    def house_seats(self, obj: Performance) -> str:
        if obj.pk is None:
            return "-"
        rows = [
            (shown(row), release_url(obj.pk, row.channel),
             sell_url(obj.pk, row.channel) if row.held_back else None)
            for row in channel_seats(performance_id=obj.pk)
        ]  # fmt: skip
        return render_to_string("admin/catalog/house_seats.html", {"rows": rows})

    house_seats.short_description = gettext_lazy("house seats")

    def release_channel_view(self, request, object_id):
        performance = Performance.objects.select_related("event").filter(pk=unquote(object_id))
        performance = performance.first()
        if performance is None:
            raise Http404
        if not self.has_change_permission(request, performance):
            raise PermissionDenied
        channel = request.POST.get("channel") or request.GET.get("channel") or ""
        rows = {row.channel: row for row in channel_seats(performance_id=performance.pk)}
        if channel not in rows:
            raise Http404
        back = reverse("admin:catalog_performance_change", args=[performance.pk])
        if request.method == "POST" and request.POST.get("confirmed") == "yes":
            try:
                released = release_channel(performance_id=performance.pk, channel=channel)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(back)
            done = ngettext(
                "Released %(count)d seat of “%(channel)s” to the public.",
                "Released %(count)d seats of “%(channel)s” to the public.",
                released,
            ) % {"count": released, "channel": channel}
            self.log_change(request, performance, done)
            self.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Release the seats of “%(channel)s” to the public?") % {"channel": channel},
            "opts": self.opts,
            "original": performance,
            "channel": channel,
            "row": shown(rows[channel]),
            "back": back,
        }
        return TemplateResponse(request, "admin/catalog/performance/release_channel.html", context)


def shown(row: ChannelSeats) -> dict:
    """A channel's counts in the page's language (Persian digits in Persian)."""
    return {
        "channel": row.channel,
        **{key: digits(getattr(row, key)) for key in ("held_back", "at_desk", "sold")},
        "given_out": row.at_desk + row.sold,
    }


def release_url(performance_id: int, channel: str) -> str:
    url = reverse("admin:catalog_performance_release_channel", args=[performance_id])
    return f"{url}?{urlencode({'channel': channel})}"
