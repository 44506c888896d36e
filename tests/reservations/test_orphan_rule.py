"""The hand-picking orphan rule (reservations/orphan_rule.py): where a performance refuses
single-seat gaps, a choice that would leave one free seat alone in its row is refused with
would_strand_seat and changes nothing; elsewhere it is allowed."""

import pytest
from django.db.models import F

from catalog.errors import SeatsUnavailable, WouldStrandSeat
from catalog.models import Performance, Seat, TicketType
from reservations.services import add_seats, hold_seats, release_hold, release_seat
from tests.factories import make_performance

pytestmark = pytest.mark.django_db


def hall(*, refuse: bool = True, seats: int = 6) -> tuple[Performance, dict[int, int]]:
    """One row A of `seats` seats (x = number - 1), one ticket type: {number: seat id}."""
    performance = make_performance(sections=1, rows=1, seats_per_row=seats)
    Performance.objects.filter(pk=performance.pk).update(refuse_single_seat_gaps=refuse)
    return performance, dict(performance.seats.values_list("number", "id"))


def status_of(performance) -> dict[int, str]:
    return dict(performance.seats.values_list("number", "status"))


def refused(performance, seat_numbers, ids) -> WouldStrandSeat:
    before = status_of(performance)
    with pytest.raises(WouldStrandSeat) as caught:
        hold_seats(performance_id=performance.pk, seat_ids=[ids[n] for n in seat_numbers])
    assert status_of(performance) == before  # the seats taken were rolled back
    return caught.value


def test_a_choice_leaving_the_first_seat_of_the_row_alone_is_refused_naming_it():
    performance, ids = hall()
    error = refused(performance, [2, 3], ids)
    assert error.code == "would_strand_seat" and error.status == 409
    assert error.details == {"seat": ids[1], "row": "A", "number": 1}


def test_the_same_choice_is_allowed_when_the_performance_does_not_ask():
    performance, ids = hall(refuse=False)
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[2], ids[3]])
    assert len(held.seats) == 2


def test_a_choice_that_fills_the_gap_is_allowed():
    performance, ids = hall(refuse=False)
    hold_seats(performance_id=performance.pk, seat_ids=[ids[2], ids[3]])  # 1 is left alone
    Performance.objects.filter(pk=performance.pk).update(refuse_single_seat_gaps=True)
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[1]])
    assert [s.number for s in held.seats] == [1]


def test_a_seat_left_between_a_taken_seat_and_the_choice_is_refused():
    performance, ids = hall()
    hold_seats(performance_id=performance.pk, seat_ids=[ids[1], ids[2]])
    assert refused(performance, [4, 5], ids).details["number"] == 3
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[3], ids[4]])
    assert len(held.seats) == 2  # takes the gap's seat with it: nothing left alone


def test_a_seat_between_two_of_the_buyers_own_seats_is_refused():
    performance, ids = hall()
    assert refused(performance, [1, 3], ids).details["number"] == 2


def test_adding_a_seat_that_strands_one_is_refused_and_keeps_the_hold_as_it_was():
    performance, ids = hall()
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[1]])
    with pytest.raises(WouldStrandSeat) as caught:
        add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=[ids[3]])
    assert caught.value.details["number"] == 2
    assert status_of(performance) == {1: "reserved", **{n: "available" for n in range(2, 7)}}
    added = add_seats(hold_id=held.hold.pk, token=held.token, seat_ids=[ids[2], ids[3]])
    assert [s.number for s in added.seats] == [1, 2, 3]


def test_a_seat_left_alone_before_does_not_stop_adding_a_seat_that_strands_none():
    performance, ids = hall(refuse=False)
    mine = hold_seats(performance_id=performance.pk, seat_ids=[ids[2]])  # 1 left alone
    hold_seats(performance_id=performance.pk, seat_ids=[ids[4], ids[5], ids[6]])
    Performance.objects.filter(pk=performance.pk).update(refuse_single_seat_gaps=True)
    # 3 fills the gap between 2 and 4; 1 was alone before and is not this choice's doing.
    added = add_seats(hold_id=mine.hold.pk, token=mine.token, seat_ids=[ids[3]])
    assert [s.number for s in added.seats] == [2, 3]


def test_giving_back_a_seat_that_would_then_be_alone_beside_the_others_is_refused():
    performance, ids = hall()
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[1], ids[2], ids[3]])
    with pytest.raises(WouldStrandSeat) as caught:
        release_seat(hold_id=held.hold.pk, token=held.token, seat_id=ids[2])
    assert caught.value.details["number"] == 2
    assert status_of(performance)[2] == "reserved"
    # The end seat may go (3 joins the free run 3-6), and so may the whole hold.
    assert len(release_seat(hold_id=held.hold.pk, token=held.token, seat_id=ids[3]).seats) == 2
    assert release_hold(hold_id=held.hold.pk, token=held.token) == 2


def test_an_aisle_ends_the_row_for_the_rule():
    performance, ids = hall()
    # An aisle between seats 3 and 4 (numbers run on across it): taking 1-2 leaves 3 alone
    # beside the aisle, although 3-6 would be four free seats in a row without it.
    Seat.objects.filter(performance=performance, number__gte=4).update(x=F("x") + 1.5)
    assert refused(performance, [1, 2], ids).details["number"] == 3
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[1], ids[2], ids[3]])
    assert len(held.seats) == 3


def test_without_the_aisle_the_same_choice_is_allowed():
    performance, ids = hall()
    assert len(hold_seats(performance_id=performance.pk, seat_ids=[ids[1], ids[2]]).seats) == 2


def test_a_seat_of_another_ticket_type_ends_the_row_for_the_rule():
    performance, ids = hall()
    student = TicketType.objects.get(event=performance.event, name="Student")
    Seat.objects.filter(pk__in=[ids[4], ids[5], ids[6]]).update(ticket_type=student)
    # Seats 1-3 are Normal: taking 1-2 leaves Normal seat 3 alone beside the Student seats.
    assert refused(performance, [1, 2], ids).details["number"] == 3
    held = hold_seats(performance_id=performance.pk, seat_ids=[ids[1], ids[2], ids[3]])
    assert len(held.seats) == 3


def test_a_seat_taken_meanwhile_is_still_the_usual_409():
    performance, ids = hall()
    hold_seats(performance_id=performance.pk, seat_ids=[ids[1], ids[2]])
    with pytest.raises(SeatsUnavailable):
        hold_seats(performance_id=performance.pk, seat_ids=[ids[2], ids[3]])


@pytest.mark.django_db(transaction=True)
def test_two_buyers_taking_each_side_of_a_seat_at_once_never_both_leave_it_alone(postgres_only):
    from tests.reservations.test_concurrency import run_threads

    rows = 25
    performance = make_performance(sections=1, rows=rows, seats_per_row=3)
    Performance.objects.filter(pk=performance.pk).update(refuse_single_seat_gaps=True)
    seat_of = {(s.row, s.number): s.id for s in performance.seats.all()}
    labels = sorted({row for row, _number in seat_of}, key=lambda r: (len(r), r))

    def buyer(n: int):
        # Buyers 2k and 2k+1 race in row k for its seats 1 and 3: either alone is fine,
        # both together would leave seat 2 alone.
        row, number = labels[n // 2], 1 if n % 2 == 0 else 3
        return hold_seats(performance_id=performance.pk, seat_ids=[seat_of[(row, number)]])

    results = run_threads(2 * rows, buyer)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(e, WouldStrandSeat | SeatsUnavailable) for e in errors), errors
    for k, row in enumerate(labels):
        both = not isinstance(results[2 * k], BaseException) and not isinstance(
            results[2 * k + 1], BaseException
        )
        assert not both, f"row {row}: both buyers held, seat 2 is alone"
        assert Seat.objects.filter(performance=performance, row=row, status="reserved").count() <= 1
    # Two buyers who meet may both be refused (each sees the other's seat being taken), but
    # not every row can have met.
    assert len(errors) < 2 * rows
