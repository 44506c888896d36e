"""The payment step offers more time once, where the performance allows it, in the buyer's
language; after that, or after expiry, it is refused and nothing changes."""

import pytest

from catalog.models import Performance
from reservations.models import Hold
from tests.factories import expire_hold, seat_ids
from tests.web.test_pages import choose

pytestmark = pytest.mark.django_db


def at_checkout(client, performance, minutes: int) -> Hold:
    Performance.objects.filter(pk=performance.pk).update(hold_extension_minutes=minutes)
    assert choose(client, performance, seat_ids(performance)[0]).status_code == 200
    return Hold.objects.get()


def extend(client, performance):
    return client.post(f"/performances/{performance.pk}/checkout/extend", follow=True)


def test_the_payment_step_offers_more_time_once(client, performance):
    hold = at_checkout(client, performance, minutes=4)
    page = client.get(f"/performances/{performance.pk}/checkout").content.decode()
    assert "Add 4 minutes (once)" in page
    response = extend(client, performance)
    assert "You have more time" in response.content.decode()
    extended = Hold.objects.get(pk=hold.pk)
    assert extended.extended and extended.expires_at > hold.expires_at
    assert "Add 4 minutes" not in response.content.decode()  # offered once
    again = extend(client, performance)
    assert "already been given more time" in again.content.decode()
    assert Hold.objects.get(pk=hold.pk).expires_at == extended.expires_at


def test_no_offer_where_the_performance_gives_none(client, performance):
    at_checkout(client, performance, minutes=0)
    page = client.get(f"/performances/{performance.pk}/checkout").content.decode()
    assert "checkout/extend" not in page


def test_the_offer_reads_in_persian(client, performance):
    at_checkout(client, performance, minutes=4)
    page = client.get(
        f"/performances/{performance.pk}/checkout", HTTP_ACCEPT_LANGUAGE="fa"
    ).content.decode()
    assert "۴ دقیقه بیفزایید (یک بار)" in page


def test_an_expired_hold_is_not_extended_from_the_page(client, performance):
    hold = at_checkout(client, performance, minutes=4)
    expire_hold(hold)
    extend(client, performance)
    assert not Hold.objects.get(pk=hold.pk).extended
