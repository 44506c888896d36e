"""Stripe's configuration (environment variables only, refused in production without its
secrets) and how amounts and languages are given to it."""

from decimal import Decimal

import pytest

from payments.stripe_provider import checkout_locale, minor_units
from tests.api.test_settings import settings_of, start_django

PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-tests",
    "DJANGO_ALLOWED_HOSTS": "tickets.example.org",
    "SANDALI_PAYMENT_PROVIDER": "stripe",
}


@pytest.mark.parametrize(
    "secrets",
    [{}, {"STRIPE_SECRET_KEY": "sk_live_x"}, {"STRIPE_WEBHOOK_SECRET": "whsec_x"}],
)
def test_production_refuses_stripe_without_both_secrets(secrets):
    result = start_django(**PRODUCTION, **secrets)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "STRIPE_WEBHOOK_SECRET" in result.stderr


def test_production_refuses_a_test_api_base_for_stripe():
    secrets = {"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    result = start_django(**PRODUCTION, **secrets, STRIPE_API_BASE="http://127.0.0.1:9")
    assert result.returncode != 0 and "STRIPE_API_BASE" in result.stderr
    assert start_django(**PRODUCTION, **secrets).returncode == 0


def test_production_refuses_stripe_with_synchronous_pages():
    secrets = {"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    result = start_django(**PRODUCTION, **secrets, SANDALI_PAYMENT_REDIRECT="0")
    assert result.returncode != 0 and "SANDALI_PAYMENT_REDIRECT" in result.stderr


def test_stripe_is_chosen_by_its_short_name():
    shown = settings_of("SANDALI_PAYMENT_PROVIDER", SANDALI_PAYMENT_PROVIDER="stripe")
    assert shown == "payments.stripe_provider.StripeProvider"
    assert settings_of("SANDALI_PAYMENT_PROVIDER") == "payments.providers.TestPaymentProvider"


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("12.50", "EUR", 1250),
        ("40", "usd", 4000),
        ("1200", "JPY", 1200),  # zero-decimal: as it is
        ("5000", "KRW", 5000),
        ("1.234", "KWD", 1230),  # three decimals, rounded to tens as Stripe requires
    ],
)
def test_amounts_go_to_stripe_in_the_currencys_minor_units(amount, currency, units):
    assert minor_units(Decimal(amount), currency) == units


def test_a_fraction_of_a_minor_unit_is_refused_rather_than_rounded():
    with pytest.raises(ValueError):
        minor_units(Decimal("10.005"), "EUR")
    with pytest.raises(ValueError):
        minor_units(Decimal("10.5"), "JPY")


@pytest.mark.parametrize(
    ("language", "locale"), [("en", "en"), ("pt-BR", "pt-BR"), ("de-AT", "de"), ("fa", "auto")]
)
def test_the_buyers_language_becomes_a_stripe_checkout_locale(language, locale):
    assert checkout_locale(language) == locale
