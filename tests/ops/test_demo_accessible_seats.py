"""The demo's large hall shows accessible seats: two wheelchair spaces with a companion seat
each, and two seats with a restricted view."""

from datetime import timedelta

import pytest

from catalog.models import Seat
from catalog.seat_flags import COMPANION, RESTRICTED_VIEW, WHEELCHAIR
from core.dbtime import db_now
from ops.demo import _large_hall
from ops.demo_arena import create_arena

pytestmark = pytest.mark.django_db


def test_the_demo_hall_has_wheelchair_spaces_with_companions():
    hall = _large_hall(db_now())  # the hall alone: seed_demo also sells and holds seats
    flagged = Seat.objects.filter(performance=hall, flag_bits__gt=0)
    assert sorted(flagged.values_list("flag_bits", flat=True)) == sorted(
        [WHEELCHAIR, WHEELCHAIR, COMPANION, COMPANION, RESTRICTED_VIEW, RESTRICTED_VIEW]
    )
    for companion in flagged.filter(flag_bits=COMPANION).select_related("companion_of"):
        assert companion.companion_of.flag_bits == WHEELCHAIR
        assert companion.companion_of.row == companion.row


def test_the_demo_arenas_companion_seats_each_belong_to_the_space_beside_them():
    now = db_now()
    arena = create_arena(starts_at=now + timedelta(days=60), sales_start=now)
    companions = Seat.objects.filter(performance=arena, flag_bits=COMPANION)
    assert companions.count() == 12
    for companion in companions.select_related("companion_of"):
        assert companion.companion_of.flag_bits == WHEELCHAIR
        assert companion.companion_of.number == companion.number - 1
