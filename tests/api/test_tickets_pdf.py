"""HTTP API v1: GET /orders/{id}/tickets.pdf, opened by the order's token exactly as the order
is, in the request's language."""

import pytest

from orders.cancellation import cancel_order
from tests.api.helpers import assert_problem, get, paid_order
from tests.factories import seat_ids
from tests.pdfs import page_texts

pytestmark = pytest.mark.django_db


def test_tickets_pdf_with_the_order_token_is_a_pdf_attachment_a_page_per_ticket(
    client, performance
):
    _, order = paid_order(client, performance, seat_ids(performance)[:2])
    response = get(client, f"/orders/{order['id']}/tickets.pdf", token=order["token"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = f'attachment; filename="sandali-order-{order["id"]}.pdf"'
    assert response["Content-Disposition"] == disposition
    assert len(page_texts(response.content)) == 2


def test_tickets_pdf_is_in_the_requests_language(client, performance):
    _, order = paid_order(client, performance, seat_ids(performance)[:1])
    path = f"/orders/{order['id']}/tickets.pdf"
    (english,) = page_texts(get(client, path, token=order["token"], lang="en").content)
    (persian,) = page_texts(get(client, path, token=order["token"], lang="fa").content)
    assert "Ticket type" in english and "نوع بلیت" in persian


def test_tickets_pdf_without_a_token_is_401_as_for_the_order(client, performance):
    _, order = paid_order(client, performance, seat_ids(performance)[:1])
    response = get(client, f"/orders/{order['id']}/tickets.pdf")
    assert_problem(response, 401, "token_required")


def test_tickets_pdf_with_a_wrong_token_is_404_like_an_unknown_order(client, performance):
    hold, order = paid_order(client, performance, seat_ids(performance)[:1])
    path = f"/orders/{order['id']}/tickets.pdf"
    wrong = get(client, path, token="wrong")
    of_the_hold = get(client, path, token=hold["token"])
    unknown = get(client, "/orders/999999/tickets.pdf", token="wrong")
    assert_problem(wrong, 404, "order_not_found")
    assert wrong.json() == of_the_hold.json() == unknown.json()
    assert wrong.json() == get(client, f"/orders/{order['id']}", token="wrong").json()


def test_tickets_pdf_of_a_cancelled_order_is_409_no_valid_tickets(client, performance):
    _, order = paid_order(client, performance, seat_ids(performance)[:1])
    cancel_order(order_id=order["id"])
    response = get(client, f"/orders/{order['id']}/tickets.pdf", token=order["token"])
    assert_problem(response, 409, "no_valid_tickets")
