"""The performance admin's drafts and time zones: the "Publish" action with its confirmation
page, the publication column, and every time of a performance shown and typed in its event's
time zone (the zone is named beside the fields, in place of Django's "hours behind" note).

Publishing itself is catalog/publishing.py's; this module asks, shows and reports.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminSplitDateTime
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Event, Performance
from catalog.models.performances import default_time_zone
from catalog.publishing import check_publishable, is_published, publish_performance
from core.dbtime import db_now
from core.errors import DomainError

PERFORMANCE_TIMES = ("starts_at", "sales_start", "sales_end", "published_at")


def zone_of(zone_name: str) -> ZoneInfo:
    return ZoneInfo(zone_name)


def zone_label(zone_name: str) -> str:
    """ "Asia/Tehran (UTC+03:30)": the zone and its offset now, as the admin names it."""
    offset = timezone.now().astimezone(zone_of(zone_name)).strftime("%z")
    return f"{zone_name} (UTC{offset[:3]}:{offset[3:]})"


def local_time(moment: datetime | None, zone_name: str) -> str:
    if moment is None:
        return "—"
    return f"{timezone.localtime(moment, zone_of(zone_name)):%Y-%m-%d %H:%M} {zone_name}"


def event_zone_of_request(request, object_id: str | None) -> str:
    """The zone a performance's form is shown and read in: its event's, or, for a new one,
    that of the event chosen (posted, or in the address), else the site's."""
    events = Event.objects.none()
    if object_id:
        if object_id.isdigit():
            events = Event.objects.filter(performances=object_id)
    elif (chosen := request.POST.get("event") or request.GET.get("event") or "").isdigit():
        events = Event.objects.filter(pk=chosen)
    return events.values_list("time_zone", flat=True).first() or default_time_zone()


def rendered_in_zone(zone_name: str, make_response):
    """The response of `make_response()`, its form read and its page rendered while the
    event's zone is active (Django renders a TemplateResponse only after the view returns)."""
    with timezone.override(zone_of(zone_name)):
        response = make_response()
        if hasattr(response, "render"):
            response.render()
    return response


class PublishForm(forms.Form):
    publish_at = forms.SplitDateTimeField(
        label=_("Publish at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("Empty: now. Until a later time, buyers do not see the performance."),
    )


class PublishingAdminMixin:
    """For PerformanceAdmin: drafts, the publish action, and times in the event's zone."""

    class Media:
        css = {"all": ["ops/admin-times.css"]}

    @staticmethod
    def publication(obj: Performance) -> str:
        if obj.published_at is None:
            return str(_("Draft"))
        return local_time(obj.published_at, obj.event.time_zone)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django reads and shows times in the active zone, and renders the page after the
        # view returns: both must happen while the event's zone is active.
        zone_name = event_zone_of_request(request, object_id)
        extra = {**(extra_context or {}), "event_zone": zone_label(zone_name)}
        return rendered_in_zone(
            zone_name,
            lambda: super(PublishingAdminMixin, self).changeform_view(
                request, object_id, form_url, extra
            ),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        zone = zone_label(timezone.get_current_timezone_name())
        for name in PERFORMANCE_TIMES:
            if name in form.base_fields:
                form.base_fields[name].help_text = _("In the event's time zone: %(zone)s.") % {
                    "zone": zone
                }
        return form

    @admin.action(description=_("Publish (with confirmation)"), permissions=["change"])
    def publish(self, request, queryset):
        if len(selected := list(queryset.select_related("event")[:2])) != 1:
            self.message_user(
                request, _("Choose exactly one performance to publish."), messages.ERROR
            )
            return None
        performance = selected[0]
        return rendered_in_zone(
            performance.event.time_zone, lambda: self._publish_page(request, performance)
        )

    def _publish_page(self, request, performance: Performance):
        zone_name = performance.event.time_zone
        form = PublishForm(request.POST if "apply" in request.POST else None)
        try:
            # Refused before asking, and again (in the publishing transaction) after.
            check_publishable(performance_id=performance.pk)
            if form.is_valid():
                moment = publish_performance(
                    performance_id=performance.pk, at=form.cleaned_data["publish_at"]
                )
                self.message_user(
                    request,
                    _("%(performance)s is published: buyers see it from %(when)s.")
                    % {"performance": performance, "when": local_time(moment, zone_name)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:catalog_performance_changelist"))
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:catalog_performance_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish %(performance)s") % {"performance": performance},
            "opts": self.opts,
            "original": performance,
            "action": "publish",
            "form": form,
            "already": is_published(performance, now=db_now()),
            "event_zone": zone_label(zone_name),
            "media": self.media + form.media,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/performance/publish.html", context)
