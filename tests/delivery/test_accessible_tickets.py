"""A ticket for a wheelchair space says so, on the order page and in the PDF; its companion
seat's ticket is an ordinary one."""

import pytest

from delivery.documents import tickets_pdf
from orders.checkout import checkout
from orders.selectors import order_tickets
from reservations.services import hold_seats
from tests.accessible import accessible_performance, seat_id
from tests.pdfs import page_texts

pytestmark = pytest.mark.django_db


def test_the_ticket_of_a_wheelchair_space_says_wheelchair_space():
    performance = accessible_performance()
    held = hold_seats(performance_id=performance.pk, seat_ids=[seat_id(performance, "A-7")])
    result = checkout(hold_id=held.hold.pk, token=held.token, idempotency_key="k",
                      name="Ava", email="ava@example.org")  # fmt: skip
    tickets = order_tickets(order=result.order)
    assert [(t.row, t.number, t.wheelchair) for t in tickets] == [("A", 7, True), ("A", 8, False)]
    space, companion = page_texts(tickets_pdf(order_id=result.order.pk, language="en"))
    assert "wheelchair space" in space and "wheelchair space" not in companion
    persian = page_texts(tickets_pdf(order_id=result.order.pk, language="fa"))[0]
    assert "ویلچر" in persian
