"""More time at the payment step (issue #18 item 7): once per hold, by the performance's
bounded setting, never after expiry, through the reservations service; the API's route."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import Performance, Seat
from core.dbtime import db_now
from reservations.errors import (
    HoldAlreadyExtended,
    HoldExpired,
    HoldExtensionNotOffered,
    HoldNotFound,
)
from reservations.extension import extend_hold
from reservations.models import Hold
from reservations.services import hold_seats
from tests.api.helpers import assert_problem, get, post
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def offering(minutes: int = 5) -> Performance:
    performance = make_performance()
    Performance.objects.filter(pk=performance.pk).update(hold_extension_minutes=minutes)
    return performance


def seat_expiries(hold_id: int) -> set:
    return set(Seat.objects.filter(hold_id=hold_id).values_list("hold_expires_at", flat=True))


def test_a_hold_is_extended_once_by_the_performances_minutes():
    performance = offering(minutes=5)
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    before = held.hold.expires_at
    extended = extend_hold(hold_id=held.hold.pk, token=held.token)
    assert extended.expires_at == before + timedelta(minutes=5) and extended.seats == 2
    hold = Hold.objects.get(pk=held.hold.pk)
    assert hold.expires_at == extended.expires_at and hold.extended
    assert seat_expiries(hold.pk) == {extended.expires_at}

    with pytest.raises(HoldAlreadyExtended):
        extend_hold(hold_id=held.hold.pk, token=held.token)
    assert Hold.objects.get(pk=held.hold.pk).expires_at == extended.expires_at


def test_no_extension_where_the_performance_offers_none():
    performance = make_performance()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    with pytest.raises(HoldExtensionNotOffered):
        extend_hold(hold_id=held.hold.pk, token=held.token)
    assert not Hold.objects.get(pk=held.hold.pk).extended


def test_an_expired_hold_is_never_extended_and_its_seats_stay_free():
    performance = offering()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    expire_hold(held.hold)
    with pytest.raises(HoldExpired):
        extend_hold(hold_id=held.hold.pk, token=held.token)
    assert not Hold.objects.get(pk=held.hold.pk).extended
    assert seat_expiries(held.hold.pk) == {Hold.objects.get(pk=held.hold.pk).expires_at}
    other = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    assert len(other.seats) == 2


def test_a_hold_whose_seat_has_expired_alone_is_not_extended():
    """The seats decide too: one seat's expiry passed (as a race with the clock leaves it) is
    free, and nothing of the hold is extended."""
    performance = offering()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    past = db_now() - timedelta(seconds=1)
    # The inventory is the only writer of seats; here the test plants a state directly.
    Seat.objects.filter(pk=seat_ids(performance)[0]).update(hold_expires_at=past)
    with pytest.raises(HoldExpired):
        extend_hold(hold_id=held.hold.pk, token=held.token)
    assert not Hold.objects.get(pk=held.hold.pk).extended
    assert Seat.objects.get(pk=seat_ids(performance)[1]).hold_expires_at == held.hold.expires_at


def test_only_the_holds_token_extends_it():
    performance = offering()
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:1])
    with pytest.raises(HoldNotFound):
        extend_hold(hold_id=held.hold.pk, token="x" * 43)


def test_the_extension_is_bounded():
    performance = make_performance()
    performance.hold_extension_minutes = 31
    with pytest.raises(ValidationError):
        performance.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Performance.objects.filter(pk=performance.pk).update(
            hold_extension_minutes=F("hold_extension_minutes") + 31
        )


def test_the_api_extends_a_hold_once(client):
    performance = offering(minutes=3)
    created = post(client, f"/performances/{performance.pk}/holds",
                   {"seats": seat_ids(performance)[:1]}).json()  # fmt: skip
    assert get(client, f"/performances/{performance.pk}").json()["hold_extension_minutes"] == 3
    path = f"/holds/{created['id']}/extension"
    first = post(client, path, {}, token=created["token"])
    assert first.status_code == 200, first.content
    assert first.json()["expires_at"] > created["expires_at"]
    again = post(client, path, {}, token=created["token"])
    assert_problem(again, 409, "hold_already_extended")
    assert_problem(post(client, path, {}, token="y" * 43), 404, "hold_not_found")
