"""What the pages' server-side session grants, and to whom: the session table holds no secret
that opens a hold or an order through the API."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from orders.models import Order
from reservations.models import Hold
from sandali.testing import seat_ids
from web.session import hold_token

pytestmark = pytest.mark.django_db
BUYER = {"name": "Ava", "email": "ava@example.org", "phone": ""}


def choose(client, performance, seat_id):
    return client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")


def session_cookie(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def with_cookie(key: str) -> Client:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    return other


def strings_in(value) -> set[str]:
    """Every string in a decoded session: keys and values, however deeply nested."""
    if isinstance(value, dict):
        return {str(k) for k in value} | set().union(*(strings_in(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(strings_in(v) for v in value))
    return {str(value)}


def session_strings(client) -> set[str]:
    row = Session.objects.get(session_key=session_cookie(client))
    return strings_in(row.get_decoded())


def opens(url: str, token: str) -> bool:
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code in (200, 401, 404), response.content
    return response.status_code == 200


def test_the_session_table_holds_nothing_that_opens_the_hold_or_the_order_through_the_api(
    client, performance
):
    ids = seat_ids(performance)
    for seat_id in ids[:2]:
        choose(client, performance, seat_id)
    hold = Hold.objects.get()
    assert client.get(f"/performances/{performance.pk}/checkout").status_code == 200
    held = session_strings(client)
    assert held and not any(opens(f"/api/v1/holds/{hold.pk}", s) for s in held)
    # What the session keeps does open it with SECRET_KEY: the server derives the token.
    seed = client.session["holds"][str(performance.pk)]["seed"]
    assert opens(f"/api/v1/holds/{hold.pk}", hold_token(seed))
    paid = client.post(f"/performances/{performance.pk}/checkout", BUYER)
    order = Order.objects.get()
    bought = session_strings(client)
    assert bought and not any(opens(f"/api/v1/orders/{order.pk}", s) for s in bought)
    assert not any(opens(f"/api/v1/holds/{hold.pk}", s) for s in bought)
    # The pages, which hold the key, still do.
    page = client.get(paid["Location"])
    assert page.status_code == 200 and page.content.decode().count('<li class="ticket') == 2


def test_a_session_written_with_raw_tokens_is_forgotten_not_crashed(client, performance):
    ids = seat_ids(performance)
    made = Client()
    choose(made, performance, ids[0])
    paid = made.post(f"/performances/{performance.pk}/checkout", BUYER)
    order = Order.objects.get()
    choose(made, performance, ids[1])
    hold = Hold.objects.latest("pk")
    # A session as the pages wrote it before: raw tokens under the same keys.
    session = client.session
    session["holds"] = {str(performance.pk): {"id": hold.pk, "token": "raw-hold-token"}}
    session["orders"] = {str(order.pk): "raw-order-token"}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    selection = client.get(f"/performances/{performance.pk}/selection")
    assert selection.status_code == 200 and selection.json()["seats"] == []
    assert client.get(f"/performances/{performance.pk}/checkout").status_code == 302
    assert client.get(paid["Location"]).status_code == 404
    assert "raw-hold-token" not in session_strings(client)
    assert "raw-order-token" not in session_strings(client)
    assert choose(client, performance, ids[2]).json()["seats"] == [ids[2]]
