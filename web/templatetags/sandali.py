"""Dates and numbers as a reader of the page's language expects them: in Persian, Jalali
dates and Persian digits."""

import jdatetime
from django import template
from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import get_language

from core.errors import PERSIAN_DIGITS

register = template.Library()


def persian() -> bool:
    return (get_language() or "en").startswith("fa")


@register.filter
def digits(value) -> str:
    text = str(value)
    return text.translate(PERSIAN_DIGITS) if persian() else text


@register.filter
def when(value) -> str:
    """A performance time: Jalali in Persian ("۱۴۰۵/۱۰/۰۴ ۱۹:۳۰"), Gregorian otherwise."""
    moment = localtime(value)
    if persian():
        jalali = jdatetime.datetime.fromgregorian(datetime=moment, locale="fa_IR")
        day = str(jalali.day)  # not zero-padded, as Persian dates are written
        text = jalali.strftime(f"%A {day} %B %Y، %H:%M")
        return text.translate(PERSIAN_DIGITS)
    return formats.date_format(moment, "l j F Y, H:i")


@register.filter
def money(value, currency: str = "") -> str:
    text = f"{value:,.2f}" if value is not None else "—"
    if text.endswith(".00"):
        text = text[:-3]
    text = f"{text} {currency}".strip()
    return text.translate(PERSIAN_DIGITS).replace(",", "٬") if persian() else text
