"""Stranded single seats at sell-out: buyers served by best available against buyers who pick
their seats by hand, on the same hall with the same buyers (a fixed seed), so the figures are
counts, not timings, and the same on every run.

Buyers arrive one after another, each wanting a group of 1 to 6 seats side by side (a group
that cannot sit together goes away). Best available: the server chooses
(hold_best_available; a choice that is not together is given back). By hand: as a person
might, a buyer looks at a random free seat and takes it with free neighbours (a random
placement of the group within that run of free seats), trying up to HAND_TRIES seats before
going away; "by hand, rule on" does the same on a performance that refuses single-seat gaps
(reservations/orphan_rule.py), a refused choice counting as one try. The hall is sold out
once no two free seats stand side by side: whatever is left then is single seats that no
group of two or more can use, the figure reported (`stranded`). Seats are held, not paid
for: a held seat is as taken as a sold one, and holds are what the rule decides on.

Run inside Django on the benchmark's database: python -m bench.stranded [SEATS], prints JSON.
"""

import json
import random
import sys
from datetime import timedelta
from decimal import Decimal

SEED = 2026
GROUP_SIZES = (1, 6)
HAND_TRIES = 5
SEATS_PER_ROW = 50


def make_hall(*, seats: int, refuse_single_seat_gaps: bool) -> int:
    """A hall like the benchmark's rush hall: rows of 50, VIP, Normal and Student by thirds."""
    from catalog.models import Event, Performance, Section, SectionTicketType, TicketType
    from catalog.services import RowRange, generate_section_seats
    from core.dbtime import db_now

    now = db_now()
    event = Event.objects.create(name="Stranded seats", venue="Bench hall", currency="EUR")
    performance = Performance.objects.create(
        event=event,
        starts_at=now + timedelta(days=30),
        sales_start=now - timedelta(days=1),
        sales_end=now + timedelta(days=29),
        published_at=now,  # buyers see only published performances
        hold_minutes=120,  # the holds stand for the whole phase
        refuse_single_seat_gaps=refuse_single_seat_gaps,
    )
    section = Section.objects.create(performance=performance, name="Hall", position=0)
    rows = max(1, seats // SEATS_PER_ROW)
    third = rows // 3
    kinds = [("VIP", 90), ("Normal", 40), ("Student", 20)]
    types = [TicketType.objects.create(event=event, name=name) for name, _price in kinds]
    for ticket_type, (_name, price) in zip(types, kinds, strict=True):
        SectionTicketType.objects.create(
            section=section, ticket_type=ticket_type, price=Decimal(price)
        )
    if third:
        ranges = [
            RowRange(1, third, types[0]),
            RowRange(third + 1, 2 * third, types[1]),
            RowRange(2 * third + 1, rows, types[2]),
        ]
    else:
        ranges = [RowRange(1, rows, types[1])]
    generate_section_seats(
        section=section, rows=rows, seats_per_row=min(seats, SEATS_PER_ROW), row_ranges=ranges
    )
    return performance.pk


def free_seats_now(performance_id: int) -> list:
    from catalog.free_seat_reads import free_seats_to_choose
    from core.dbtime import db_now

    return free_seats_to_choose(performance_id=performance_id, now=db_now()).seats


def buy_best_available(performance_id: int, group: int, _runs: list, _rng) -> list[int]:
    from catalog.errors import NotEnoughSeats, SeatsUnavailable
    from reservations.best_holds import hold_best_available
    from reservations.services import release_hold

    try:
        held = hold_best_available(performance_id=performance_id, quantity=group)
    except (NotEnoughSeats, SeatsUnavailable):
        return []
    if not held.together:
        release_hold(hold_id=held.hold.pk, token=held.token)
        return []
    return [seat.id for seat in held.seats]


def buy_by_hand(performance_id: int, group: int, runs: list, rng: random.Random) -> list[int]:
    """`runs`: the free runs as the buyer sees them on the map."""
    from catalog.errors import SeatsUnavailable, WouldStrandSeat
    from reservations.services import hold_seats

    free = [(run, index) for run in runs for index in range(len(run))]
    for _try in range(HAND_TRIES):
        if not free:
            return []
        run, index = rng.choice(free)
        if len(run) < group:
            continue
        # The seat looked at, and neighbours on either side: any placement of the group
        # within the run that includes it.
        first = rng.randint(max(0, index - group + 1), min(index, len(run) - group))
        chosen = [seat.id for seat in run[first : first + group]]
        try:
            hold_seats(performance_id=performance_id, seat_ids=chosen)
            return chosen
        except WouldStrandSeat:
            continue
        except SeatsUnavailable:
            return []
    return []


def sell_out(performance_id: int, buy, *, seed: int = SEED) -> dict:
    """Buyers, each a group of GROUP_SIZES seats from the seeded stream, until no two free
    seats stand side by side (or far more buyers than seats have come). The buyers are the
    only ones buying, so the map is kept here as their holds change it, not read each time;
    the count at the end is read from the database."""
    from catalog.best_available import free_runs

    groups = random.Random(seed)
    choices = random.Random(seed + 1)
    free = {seat.id: seat for seat in free_seats_now(performance_id)}
    seated = turned_away = 0
    for _buyer in range(10 * len(free)):
        runs = free_runs(free.values())
        if not any(len(run) >= 2 for run in runs):
            break
        taken = buy(performance_id, groups.randint(*GROUP_SIZES), runs, choices)
        for seat_id in taken:
            del free[seat_id]
        seated += bool(taken)
        turned_away += not taken
    left = free_seats_now(performance_id)
    if {seat.id for seat in left} != set(free):
        raise AssertionError("the map kept here differs from the database")
    return {
        "stranded": sum(len(run) == 1 for run in free_runs(left)),
        "free_seats_left": len(left),
        "buyers_seated": seated,
        "buyers_turned_away": turned_away,
    }


def stranded_seats(*, seats: int = 2000, seed: int = SEED) -> dict:
    """The phase: the same buyers three times over, each on a new hall of `seats` seats."""
    best = sell_out(make_hall(seats=seats, refuse_single_seat_gaps=False), buy_best_available,
                    seed=seed)  # fmt: skip
    by_hand = sell_out(make_hall(seats=seats, refuse_single_seat_gaps=False), buy_by_hand,
                       seed=seed)  # fmt: skip
    with_rule = sell_out(make_hall(seats=seats, refuse_single_seat_gaps=True), buy_by_hand,
                         seed=seed)  # fmt: skip
    return {
        "seats": seats,
        "seed": seed,
        "best_available": best,
        "by_hand": by_hand,
        "by_hand_rule_on": with_rule,
        "stranded_best_available": best["stranded"],
        "stranded_by_hand": by_hand["stranded"],
        "stranded_by_hand_rule_on": with_rule["stranded"],
        "stranded_ratio_best_to_hand": (
            round(best["stranded"] / by_hand["stranded"], 3) if by_hand["stranded"] else None
        ),
    }


def main() -> None:
    import django

    django.setup()
    seats = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(json.dumps(stranded_seats(seats=seats)))


if __name__ == "__main__":
    main()
