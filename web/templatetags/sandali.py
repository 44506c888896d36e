"""The pages' filters for dates and numbers: thin wrappers of core/localformat.py, which the
printed tickets use as well, so that a page and a ticket always write a date alike."""

from django import template

from core import localformat

register = template.Library()


@register.filter
def digits(value) -> str:
    return localformat.digits(value)


@register.filter
def when(value, zone: str | None = None) -> str:
    """`{{ performance.starts_at|when:performance.event.time_zone }}`: in the event's zone."""
    return localformat.when(value, zone)


@register.filter
def money(value, currency: str = "") -> str:
    return localformat.money(value, currency)
