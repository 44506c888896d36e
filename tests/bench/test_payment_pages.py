"""The hosted-page benchmark's own code runs and counts each path's statements."""

import pytest

from bench.payment_pages import payment_pages
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_benchmark_pays_by_both_paths_and_counts_their_statements():
    figures = payment_pages(buyers=4)
    assert Order.objects.count() == 4  # two by each path
    assert set(figures["statements"]) == {"sync", "start", "return"}
    assert all(count > 0 for count in figures["statements"].values())
    assert figures["hosted_page_to_sync_server_time"] > 0
