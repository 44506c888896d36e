"""ZarinPal's configuration: environment variables only, refused in production without its
merchant id, with a test base URL, or with synchronous pages."""

import pytest

from tests.api.test_settings import settings_of, start_django

PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-tests",
    "DJANGO_ALLOWED_HOSTS": "tickets.example.org",
    "SANDALI_PAYMENT_PROVIDER": "zarinpal",
}
MERCHANT = {"ZARINPAL_MERCHANT_ID": "1344b5d4-0048-11e8-94db-005056a205be"}


def test_production_refuses_zarinpal_without_a_merchant_id():
    result = start_django(**PRODUCTION)
    assert result.returncode != 0 and "ZARINPAL_MERCHANT_ID" in result.stderr
    assert start_django(**PRODUCTION, **MERCHANT).returncode == 0


@pytest.mark.parametrize("base", ["http://127.0.0.1:9", "https://sandbox.zarinpal.com"])
def test_production_refuses_a_test_base_url(base):
    result = start_django(**PRODUCTION, **MERCHANT, ZARINPAL_API_BASE=base)
    assert result.returncode != 0 and "ZARINPAL_API_BASE" in result.stderr


def test_production_refuses_zarinpal_with_synchronous_pages():
    result = start_django(**PRODUCTION, **MERCHANT, SANDALI_PAYMENT_REDIRECT="0")
    assert result.returncode != 0 and "SANDALI_PAYMENT_REDIRECT" in result.stderr


def test_zarinpal_is_chosen_by_its_short_name():
    shown = settings_of("SANDALI_PAYMENT_PROVIDER", SANDALI_PAYMENT_PROVIDER="zarinpal")
    assert shown == "payments.zarinpal_provider.ZarinpalProvider"
