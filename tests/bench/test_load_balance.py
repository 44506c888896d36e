"""The load generator: requests spread over the app processes as a load balancer would, and
the map read as the buyer's page reads it."""

from bench.backends import SandaliHttp, free_in_columns


def test_buyers_in_step_spread_the_same_step_over_every_app_process():
    # 200 buyers start together and each round is a hold, then a checkout or a release: a
    # round robin per buyer sent every hold to the first process and every checkout to the
    # second. Shared by all buyers, it sends the first request of four buyers to both.
    bases = ["http://127.0.0.1:1", "http://127.0.0.1:2"]
    buyers = [SandaliHttp(None, bases, performance_id=1) for _ in range(4)]

    first_requests = [next(buyer.bases) for buyer in buyers]

    assert sorted(first_requests) == sorted(bases * 2)


def test_a_buyer_reads_the_same_free_seats_from_the_columns_as_from_the_rows():
    from catalog import seat_map_columns

    statuses = ["available", "reserved", "sold", "available", "blocked", "available"]
    rows = [
        (10 + n * (1 if n < 3 else 7), 1, "A", n + 1, n * 1.5, 0.0, 2, status, 1, 0)
        for n, status in enumerate(statuses)
    ]
    free, pending = free_in_columns(seat_map_columns.encode(rows, []))

    assert free == [row[0] for row in rows if row[7] == "available"] and pending
