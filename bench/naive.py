"""The naive capacity design beside Sandali's, on one performance, inside Django.

Naive: four COUNT queries per section x ticket type through the ORM, on every request.
Sandali: the availability snapshot as the API serves it (one grouped query, kept for
SANDALI_SNAPSHOT_SECONDS in the shared cache), and the grouped query alone, uncached.
Prints JSON with the mean milliseconds of each."""

import json
import sys
import time

import django


def mean_ms(function, repeat: int) -> float:
    function()
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) * 1000 / repeat


def main() -> None:
    django.setup()
    from django.db.models import Q
    from django.db.models.functions import Now

    from catalog import snapshots
    from catalog.models import Seat, SeatStatus, SectionTicketType
    from catalog.selectors import capacity_by_section_and_ticket_type

    performance_id = int(sys.argv[1])
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 30

    def naive():
        figures = []
        for price in SectionTicketType.objects.filter(section__performance_id=performance_id):
            seats = Seat.objects.filter(
                performance_id=performance_id,
                section_id=price.section_id,
                ticket_type_id=price.ticket_type_id,
            )
            figures.append(
                (
                    seats.count(),
                    seats.filter(
                        Q(status=SeatStatus.AVAILABLE)
                        | Q(status=SeatStatus.RESERVED, hold_expires_at__lte=Now())
                    ).count(),
                    seats.filter(status=SeatStatus.RESERVED, hold_expires_at__gt=Now()).count(),
                    seats.filter(status=SeatStatus.SOLD).count(),
                )
            )
        return figures

    result = {
        "naive_ms": round(mean_ms(naive, repeat), 3),
        "grouped_query_ms": round(
            mean_ms(
                lambda: capacity_by_section_and_ticket_type(performance_id=performance_id), repeat
            ),
            3,
        ),
        "sandali_ms": round(
            mean_ms(lambda: snapshots.capacity(performance_id=performance_id), repeat * 10), 4
        ),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
