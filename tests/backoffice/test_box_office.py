"""The box office desk (backoffice/box_office.py): seats held as a buyer holds them, sold for
cash, by card or as complimentary tickets, recorded in the order's history, and counted in
the sales figures at the price they were sold for."""

from decimal import Decimal

import pytest

from backoffice.box_office import (
    Customer,
    DeskHold,
    DeskPayment,
    choose_seat,
    clear_selection,
    sell_at_desk,
)
from backoffice.errors import ComplimentaryNeedsReason, DeskNotOnSale, UnknownDeskMethod
from backoffice.sales import performance_sales
from catalog.errors import SeatsUnavailable
from catalog.models import Seat, SeatStatus
from ops.audit import audit
from orders.cancellation import cancel_order
from orders.history import describe
from orders.models import DeskMethod, OrderChange, OrderStatus
from reservations.errors import HoldExpired
from reservations.models import Hold
from reservations.services import hold_seats
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def desk_holding(performance, ids) -> DeskHold:
    hold = None
    for seat_id in ids:
        state = choose_seat(performance_id=performance.pk, seat_id=seat_id, hold=hold)
        hold = hold or DeskHold(state.hold.pk, state.token)
    return hold


def test_a_cash_sale_makes_a_paid_order_with_a_ticket_per_seat_and_records_who_sold_it(
    performance,
):
    ids = seat_ids(performance)[:3]  # row 1, Normal at 20.00 each
    hold = desk_holding(performance, ids)
    sale = sell_at_desk(
        hold=hold, payment=DeskPayment(DeskMethod.CASH), customer=Customer(), actor="desk1"
    )
    order = sale.order
    assert sale.created
    assert (order.status, order.total, order.desk_method, order.sold_by) == (
        OrderStatus.PAID, Decimal("60.00"), DeskMethod.CASH, "desk1",
    )  # fmt: skip
    assert order.name == "" and order.email == ""  # a walk-up customer leaves nothing
    assert sorted(t.seat_id for t in order.tickets.all()) == ids
    assert {s.status for s in Seat.objects.filter(pk__in=ids)} == {SeatStatus.SOLD}
    (event,) = order.history.all()
    assert (event.change, event.actor) == (OrderChange.SOLD_AT_DESK, "desk1")
    assert "cash" in describe(event)
    assert audit()["inconsistency_count"] == 0


def test_a_card_sale_keeps_the_terminal_reference(performance):
    hold = desk_holding(performance, seat_ids(performance)[:1])
    sale = sell_at_desk(
        hold=hold,
        payment=DeskPayment(DeskMethod.CARD, "  slip 0042 "),
        customer=Customer(name="Sara", email="sara@example.org", phone="+98 912"),
        actor="desk1",
    )
    assert (sale.order.desk_note, sale.order.email) == ("slip 0042", "sara@example.org")
    assert sale.order.history.get().detail["note"] == "slip 0042"


def test_complimentary_tickets_cost_nothing_and_the_sales_count_them_at_zero(performance):
    ids = seat_ids(performance)
    cash = desk_holding(performance, ids[:2])
    sell_at_desk(hold=cash, payment=DeskPayment(DeskMethod.CASH), customer=Customer(), actor="a")
    comp = desk_holding(performance, ids[2:4])
    sale = sell_at_desk(
        hold=comp,
        payment=DeskPayment(DeskMethod.COMPLIMENTARY, "press"),
        customer=Customer(),
        actor="a",
    )
    assert sale.order.total == 0 and {t.price for t in sale.tickets} == {Decimal("0.00")}
    sales = performance_sales(performance_id=performance.pk)
    assert (sales.sold, sales.revenue) == (4, Decimal("40.00"))  # comps sold, at 0
    sold_seats = Seat.objects.filter(performance=performance, status=SeatStatus.SOLD).count()
    assert sold_seats == sales.sold
    assert audit()["inconsistency_count"] == 0


def test_complimentary_without_a_reason_is_refused_and_the_seats_stay_held(performance):
    hold = desk_holding(performance, seat_ids(performance)[:1])
    with pytest.raises(ComplimentaryNeedsReason):
        sell_at_desk(
            hold=hold,
            payment=DeskPayment(DeskMethod.COMPLIMENTARY, "   "),
            customer=Customer(),
            actor="a",
        )
    with pytest.raises(UnknownDeskMethod):
        sell_at_desk(hold=hold, payment=DeskPayment("cheque"), customer=Customer(), actor="a")
    assert performance.seats.filter(status=SeatStatus.RESERVED).count() == 1
    assert not performance.orders.exists()


def test_a_seat_a_buyer_holds_cannot_be_chosen_at_the_desk_nor_the_other_way(performance):
    first, second = seat_ids(performance)[:2]
    hold_seats(performance_id=performance.pk, seat_ids=[first])
    with pytest.raises(SeatsUnavailable):
        choose_seat(performance_id=performance.pk, seat_id=first, hold=None)
    desk_holding(performance, [second])
    with pytest.raises(SeatsUnavailable):
        hold_seats(performance_id=performance.pk, seat_ids=[second])


def test_selling_the_same_hold_twice_returns_the_first_order(performance):
    hold = desk_holding(performance, seat_ids(performance)[:2])
    payment, customer = DeskPayment(DeskMethod.CASH), Customer()
    first = sell_at_desk(hold=hold, payment=payment, customer=customer, actor="a")
    again = sell_at_desk(hold=hold, payment=payment, customer=customer, actor="a")
    assert (again.created, again.order.pk) == (False, first.order.pk)
    assert performance.orders.count() == 1


def test_an_expired_desk_hold_is_not_sold_and_the_next_seat_starts_a_new_hold(performance):
    first, second = seat_ids(performance)[:2]
    hold = desk_holding(performance, [first])
    expire_hold(Hold.objects.get(pk=hold.id))
    with pytest.raises(HoldExpired):
        sell_at_desk(hold=hold, payment=DeskPayment(DeskMethod.CASH), customer=Customer(),
                     actor="a")  # fmt: skip
    state = choose_seat(performance_id=performance.pk, seat_id=second, hold=hold)
    assert state.hold.pk != hold.id and [s.id for s in state.seats] == [second]


def test_next_customer_gives_the_seats_back(performance):
    hold = desk_holding(performance, seat_ids(performance)[:3])
    assert clear_selection(hold=hold) == 3
    assert not performance.seats.exclude(status=SeatStatus.AVAILABLE).exists()


def test_a_performance_not_on_sale_is_refused_at_the_desk():
    draft = make_performance(published=False)
    with pytest.raises(DeskNotOnSale):
        choose_seat(performance_id=draft.pk, seat_id=seat_ids(draft)[0], hold=None)
    later = make_performance(sales_open=False)
    with pytest.raises(DeskNotOnSale):
        choose_seat(performance_id=later.pk, seat_id=seat_ids(later)[0], hold=None)


def test_cancelling_a_desk_order_asks_no_payment_provider(performance):
    hold = desk_holding(performance, seat_ids(performance)[:2])
    sale = sell_at_desk(
        hold=hold, payment=DeskPayment(DeskMethod.CASH), customer=Customer(), actor="a"
    )
    cancelled = cancel_order(order_id=sale.order.pk, actor="a")
    assert (cancelled.status, cancelled.refund_reference) == (OrderStatus.CANCELLED, "desk")
    assert not performance.seats.exclude(status=SeatStatus.AVAILABLE).exists()
    assert audit()["inconsistency_count"] == 0


def test_the_desk_sells_any_hold_it_is_given(performance):
    """A hold made elsewhere (the house seats of a channel put into a staff hold) is sold as
    one the desk chose seat by seat."""
    ids = seat_ids(performance)[5:8]  # row B, Student at 10.00
    held = hold_seats(performance_id=performance.pk, seat_ids=ids)
    sale = sell_at_desk(
        hold=DeskHold(held.hold.pk, held.token),
        payment=DeskPayment(DeskMethod.CARD),
        customer=Customer(name="Sponsor"),
        actor="desk",
    )
    assert sorted(t.seat_id for t in sale.tickets) == ids and sale.order.total == 30


def test_a_seat_taken_by_a_buyer_after_the_desks_hold_ran_out_is_not_sold_at_the_desk(
    performance,
):
    seat_id = seat_ids(performance)[0]
    hold = desk_holding(performance, [seat_id])
    expire_hold(Hold.objects.get(pk=hold.id))
    buyer = hold_seats(performance_id=performance.pk, seat_ids=[seat_id])  # free again at once
    with pytest.raises(HoldExpired):
        sell_at_desk(hold=hold, payment=DeskPayment(DeskMethod.CASH), customer=Customer(),
                     actor="a")  # fmt: skip
    seat = Seat.objects.get(pk=seat_id)
    assert (seat.status, seat.hold_id, seat.ticket_id) == (SeatStatus.RESERVED, buyer.hold.pk, None)
    assert not performance.orders.exists()


def test_standing_places_are_held_and_sold_at_the_desk_beside_seats(performance):
    from backoffice.box_office import choose_places
    from tests.factories import make_standing_area

    area = make_standing_area(performance, capacity=5, price="15")
    hold = desk_holding(performance, seat_ids(performance)[:1])
    state = choose_places(performance_id=performance.pk, area_id=area.pk, quantity=3, hold=hold)
    assert state.hold.pk == hold.id and len(state.seats) == 4
    sale = sell_at_desk(
        hold=hold, payment=DeskPayment(DeskMethod.CASH), customer=Customer(), actor="a"
    )
    assert sale.order.total == Decimal("65.00")  # 20 + 3 x 15
    assert area.seats.filter(status=SeatStatus.SOLD).count() == 3
    assert audit()["inconsistency_count"] == 0
