"""The fault test's performance: two sections of 50-seat rows, holds of one minute.

Run inside Django: python -m bench.fault_seed SEATS, prints the performance's id."""

import sys

import django


def main() -> None:
    django.setup()
    from tests.factories import make_performance

    seats = int(sys.argv[1])
    print(make_performance(sections=2, rows=seats // 100, seats_per_row=50, hold_minutes=1).pk)


if __name__ == "__main__":
    main()
