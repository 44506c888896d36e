"""Dates, numbers and prices as a reader of the active language expects them: in Persian,
Jalali dates, Persian digits and the Persian thousands separator; in English, Gregorian.

Every text a person reads goes through these, whatever renders it: the pages (web's template
filters are thin wrappers) and the printed tickets (delivery/). They read the active language
(`translation.override(language)` or LocaleMiddleware), as DomainError.message does.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import jdatetime
from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import get_language

from core.errors import PERSIAN_DIGITS

PERSIAN_THOUSANDS_SEPARATOR = "٬"


def persian() -> bool:
    return (get_language() or "en").startswith("fa")


def digits(value) -> str:
    """A number (or any text) with Persian digits in Persian; letters are left as they are."""
    text = str(value)
    return text.translate(PERSIAN_DIGITS) if persian() else text


def when(value: datetime, zone: str | None = None) -> str:
    """A moment in `zone` (an IANA name: the event's, where it takes place; None: the site's
    time zone): Jalali in Persian ("جمعه ۵ دی ۱۴۰۵، ۱۹:۳۰"), Gregorian otherwise ("Friday 26
    December 2026, 19:30")."""
    moment = localtime(value, ZoneInfo(zone) if zone else None)
    if persian():
        jalali = jdatetime.datetime.fromgregorian(datetime=moment, locale="fa_IR")
        day = str(jalali.day)  # not zero-padded, as Persian dates are written
        text = jalali.strftime(f"%A {day} %B %Y، %H:%M")
        return text.translate(PERSIAN_DIGITS)
    return formats.date_format(moment, "l j F Y, H:i")


def money(value: Decimal | None, currency: str = "") -> str:
    """An amount with its currency, without ".00" for whole amounts ("1,250 EUR")."""
    text = f"{value:,.2f}" if value is not None else "—"
    if text.endswith(".00"):
        text = text[:-3]
    text = f"{text} {currency}".strip()
    if persian():
        return text.translate(PERSIAN_DIGITS).replace(",", PERSIAN_THOUSANDS_SEPARATOR)
    return text


# The other way: digits a person typed or a spreadsheet wrote in Persian or Arabic-Indic,
# read as the Latin digits int(), float() and Decimal() understand.
LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
