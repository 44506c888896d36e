"""A ticket link opens an order's tickets in any browser: its secret (in the URL's fragment) is
exchanged for a session grant at once, is stored only hashed, opens nothing but the tickets,
and stops working when the organizer revokes the order's links."""

import pytest
from django.test import Client

from core.tokens import hash_token
from orders.access import issue_access_link, revoke_access_links
from orders.models import OrderAccessLink
from tests.factories import make_order, make_performance

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return make_order(make_performance(), seats=2).order


def open_link(client: Client, secret: str):
    return client.post("/orders/open", {"secret": secret})


def test_a_link_opens_the_order_in_another_browser_and_leaves_no_secret_in_the_address(order):
    secret = issue_access_link(order_id=order.pk)
    phone = Client()
    assert phone.get(f"/orders/{order.pk}/").status_code == 404
    opened = open_link(phone, secret)
    assert opened.status_code == 302 and opened["Location"] == f"/orders/{order.pk}/"
    page = phone.get(opened["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('<li class="ticket') == 2 and secret not in body


def test_the_link_page_itself_carries_no_secret_and_posts_from_the_fragment():
    page = Client().get("/orders/open")
    assert page.status_code == 200
    assert b"ticket-link.js" in page.content


def test_only_the_hash_of_a_link_secret_is_stored(order):
    secret = issue_access_link(order_id=order.pk)
    (stored,) = OrderAccessLink.objects.filter(order=order).values_list("token_hash", flat=True)
    assert stored == hash_token(secret) and secret not in stored


def test_a_made_up_or_revoked_link_opens_nothing(order):
    assert open_link(Client(), "not-a-link").status_code == 404
    secret = issue_access_link(order_id=order.pk)
    assert revoke_access_links(order_id=order.pk) == 1
    refused = open_link(Client(), secret)
    assert refused.status_code == 404 and b"revoked" in refused.content


def test_revoking_ends_the_grant_of_a_browser_that_opened_the_link_before(order):
    secret = issue_access_link(order_id=order.pk)
    phone = Client()
    open_link(phone, secret)
    assert phone.get(f"/orders/{order.pk}/").status_code == 200
    revoke_access_links(order_id=order.pk)
    assert phone.get(f"/orders/{order.pk}/").status_code == 404


def test_a_link_is_not_the_order_token_of_the_api(order):
    secret = issue_access_link(order_id=order.pk)
    answer = Client().get(
        f"/api/v1/orders/{order.pk}", headers={"authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 404


def test_a_link_opens_only_its_own_order(order):
    other = make_order(make_performance(), seats=1).order
    phone = Client()
    open_link(phone, issue_access_link(order_id=order.pk))
    assert phone.get(f"/orders/{other.pk}/").status_code == 404


def test_opening_links_is_rate_limited_per_client(order, settings):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "ticket_links": "3/600"}
    client = Client()
    answers = [open_link(client, f"guess-{n}").status_code for n in range(3)]
    assert answers == [404, 404, 404]
    secret = issue_access_link(order_id=order.pk)
    limited = open_link(client, secret)
    body = limited.content.decode()
    assert limited.status_code == 429 and "Too many requests" in body
    assert "revoked" not in body, "a rate limit is not a revoked link"
    assert f'value="{secret}"' in body, "the buyer can try again without the mail"


def test_a_revoked_browser_is_pointed_to_sending_the_tickets_again(order):
    phone = Client()
    open_link(phone, issue_access_link(order_id=order.pk))
    revoke_access_links(order_id=order.pk)
    page = phone.get(f"/orders/{order.pk}/")
    assert page.status_code == 404 and b'href="/orders/lost"' in page.content


def test_a_link_opens_the_tickets_pdf_too(order):
    phone = Client()
    assert phone.get(f"/orders/{order.pk}/tickets.pdf").status_code == 404
    open_link(phone, issue_access_link(order_id=order.pk))
    pdf = phone.get(f"/orders/{order.pk}/tickets.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
