"""manage.py house_seats: hold back rows or seats for a channel, list, and release."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import HeldBackSeat, Seat, SeatStatus
from tests.factories import make_performance, seat_ids

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("house_seats", *args, stdout=out)
    return out.getvalue()


def test_the_command_holds_back_rows_lists_the_channel_and_releases_it():
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    section = performance.sections.get().name
    out = run("--performance", str(performance.pk), "--channel", "press", "--rows", f"{section}:A")
    assert "Held back 5 seats for press." in out and "press: 5 held back" in out
    row_a = Seat.objects.filter(performance=performance, row="A")
    assert set(row_a.values_list("status", flat=True)) == {SeatStatus.BLOCKED}
    assert HeldBackSeat.objects.filter(channel="press").count() == 5
    out = run("--performance", str(performance.pk), "--channel", "press", "--release")
    assert "Released 5 seats of press to the public." in out
    assert set(row_a.values_list("status", flat=True)) == {SeatStatus.AVAILABLE}


def test_the_command_names_seats_that_were_not_free_and_refuses_a_missing_channel():
    performance = make_performance()
    ids = seat_ids(performance)[:2]
    run("--performance", str(performance.pk), "--channel", "house", "--seats", str(ids[0]))
    out = run("--performance", str(performance.pk), "--channel", "sponsors", "--seats",
              f"{ids[0]},{ids[1]}")  # fmt: skip
    assert f"Not free, left as they were: {ids[0]}" in out
    with pytest.raises(CommandError, match="channel_has_no_seats"):
        run("--performance", str(performance.pk), "--channel", "nobody", "--release")
    with pytest.raises(CommandError, match="--channel"):
        run("--performance", str(performance.pk), "--release")
