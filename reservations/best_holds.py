"""Holding the best available seats: the server chooses `quantity` seats
(catalog/best_available.py, catalog/accessible_choice.py) for a new hold or adds them to a
live one, with the same checks and lock order as choosing by hand (reservations/services.py);
reservations/best_available.py takes each choice in a savepoint."""

from decimal import Decimal

from django.db import transaction

from catalog.selectors import seats_of_hold
from core.dbtime import db_now
from core.metrics import HOLD_ATTEMPTS, count_outcomes
from reservations.best_available import take_best
from reservations.hold_checks import (
    check_client_cap,
    check_hold_open,
    check_limit,
    check_quantity,
    check_sales_open,
)
from reservations.selectors import owned_hold
from reservations.services import HoldState, new_hold, priced_new_seats


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def hold_best_available(
    *,
    performance_id: int,
    quantity: int,
    ticket_type_id: int | None = None,
    section_id: int | None = None,
    accessible: bool = False,
    max_price: Decimal | None = None,
    together: bool = False,
    client_key: str = "",
    token: str | None = None,
) -> HoldState:
    """Hold `quantity` seats that the server chooses (catalog/best_available.py: adjacent in
    one row nearest the stage if it can; `together` says whether they are) for a new buyer,
    of one ticket type or section, at most `max_price` each, if given; side by side only when
    `together` is asked for; the same limits as hold_seats. With `accessible`,
    wheelchair spaces with their companion seats (catalog/accessible_choice.py); without, no
    wheelchair space, and companion seats only as reservations/best_available.py says.
    Choices are made from the FREE seats read and taken by the inventory's take (SKIP
    LOCKED), each in a savepoint: a choice that another buyer took meanwhile is undone and the
    next is tried."""
    check_quantity(quantity)
    with transaction.atomic():
        hold, token = new_hold(
            performance_id=performance_id, adding=quantity, client_key=client_key, token=token
        )
        taken, adjacent = take_best(
            hold,
            quantity=quantity,
            ticket_type_id=ticket_type_id,
            section_id=section_id,
            accessible=accessible,
            max_price=max_price,
            together=together,
        )
        seats = priced_new_seats(hold, taken)
    chosen = tuple(seat.id for seat in seats)
    return HoldState(
        hold=hold,
        seats=seats,
        currency=hold.terms.currency,
        token=token,
        together=adjacent,
        chosen=chosen,
    )


@count_outcomes(HOLD_ATTEMPTS, success=lambda result: "held")
def add_best_available(
    *,
    hold_id: int,
    token: str | None,
    quantity: int,
    ticket_type_id: int | None = None,
    section_id: int | None = None,
    accessible: bool = False,
    max_price: Decimal | None = None,
    together: bool = False,
) -> HoldState:
    """Add `quantity` seats that the server chooses to a live hold, chosen and taken as
    hold_best_available does for a new one (the hold's seats are not free, so they are never
    chosen again), with add_seats's checks: the hold open, sales open, the limits."""
    check_quantity(quantity)
    with transaction.atomic():
        hold = owned_hold(hold_id=hold_id, token=token, for_update=True)
        now = db_now()
        check_hold_open(hold, now)
        check_sales_open(hold.terms, now)
        held = seats_of_hold(hold_id=hold.pk)
        check_limit(hold.terms, already_held=len(held), adding=quantity)
        check_client_cap(hold.client_key, adding=quantity, now=now)
        taken, adjacent = take_best(
            hold,
            quantity=quantity,
            ticket_type_id=ticket_type_id,
            section_id=section_id,
            accessible=accessible,
            max_price=max_price,
            together=together,
            now=now,
        )
        seats = seats_of_hold(hold_id=hold.pk)
    chosen = tuple(sorted(seat.id for seat in taken))
    return HoldState(
        hold=hold, seats=seats, currency=hold.terms.currency, together=adjacent, chosen=chosen
    )
