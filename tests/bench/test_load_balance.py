"""The load generator spreads requests over the app processes as a load balancer would."""

from bench.backends import SandaliHttp


def test_buyers_in_step_spread_the_same_step_over_every_app_process():
    # 200 buyers start together and each round is a hold, then a checkout or a release: a
    # round robin per buyer sent every hold to the first process and every checkout to the
    # second. Shared by all buyers, it sends the first request of four buyers to both.
    bases = ["http://127.0.0.1:1", "http://127.0.0.1:2"]
    buyers = [SandaliHttp(None, bases, performance_id=1) for _ in range(4)]

    first_requests = [next(buyer.bases) for buyer in buyers]

    assert sorted(first_requests) == sorted(bases * 2)
