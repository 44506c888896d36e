"""Dates and prices as the reader's language writes them (core/localformat.py), the same on
the pages and on printed tickets."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from core.localformat import digits, money, when

# 19:30 in Tehran (SANDALI_TIME_ZONE's default), Saturday 5 Dey 1405 in the Jalali calendar.
EVENING = datetime(2026, 12, 26, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "Saturday 26 December 2026, 19:30"), ("fa", "شنبه ۵ دی ۱۴۰۵، ۱۹:۳۰")],
)
def test_a_moment_is_jalali_with_persian_digits_in_persian_and_gregorian_in_english(
    settings, language, written
):
    settings.TIME_ZONE = "Asia/Tehran"
    with translation.override(language):
        assert when(EVENING) == written


@pytest.mark.parametrize(("language", "written"), [("en", "1,250 EUR"), ("fa", "۱٬۲۵۰ EUR")])
def test_a_whole_price_has_no_cents_and_the_languages_digits_and_separator(language, written):
    with translation.override(language):
        assert money(Decimal("1250.00"), "EUR") == written


def test_digits_change_only_digits():
    with translation.override("fa"):
        assert digits("B12") == "B۱۲"
    with translation.override("en"):
        assert digits("B12") == "B12"
