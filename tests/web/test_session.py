"""What the pages' server-side session grants, and to whom: its id changes whenever it comes
to grant more (a new hold, a paid order), so a cookie planted or seen earlier opens nothing
new; and the session table holds no secret that opens a hold or an order through the API."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from orders.models import Order
from reservations.models import Hold
from tests.factories import expire_hold, seat_ids
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


def test_paying_changes_the_session_id_so_an_earlier_cookie_cannot_open_the_order(
    client, performance
):
    for seat_id in seat_ids(performance)[:2]:
        choose(client, performance, seat_id)
    before = session_cookie(client)
    paid = client.post(f"/performances/{performance.pk}/checkout", BUYER)
    assert paid.status_code == 302
    assert session_cookie(client) != before
    assert client.get(paid["Location"]).status_code == 200
    assert with_cookie(before).get(paid["Location"]).status_code == 404
    assert not Session.objects.filter(session_key=before).exists()


def test_a_new_hold_changes_the_session_id_so_a_planted_cookie_does_not_see_it(client, performance):
    ids = seat_ids(performance)
    attacker = Client()
    choose(attacker, performance, ids[5])  # a session of the attacker's, with a hold
    expire_hold(Hold.objects.get())
    planted = session_cookie(attacker)
    victim = with_cookie(planted)
    assert choose(victim, performance, ids[0]).json()["seats"] == [ids[0]]
    assert choose(victim, performance, ids[1]).json()["seats"] == ids[:2]
    assert session_cookie(victim) != planted
    selection = f"/performances/{performance.pk}/selection"
    assert attacker.get(selection).json()["seats"] == []
    assert victim.get(selection).json()["seats"] == ids[:2]
    assert Hold.objects.count() == 2, "the victim's choices went into one new hold"
    # Nor does the planted cookie see the order the victim then pays for.
    paid = victim.post(f"/performances/{performance.pk}/checkout", BUYER)
    assert attacker.get(paid["Location"]).status_code == 404


def test_adding_seats_to_the_same_hold_keeps_the_session_id(client, performance):
    ids = seat_ids(performance)
    choose(client, performance, ids[0])
    first = session_cookie(client)
    choose(client, performance, ids[1])
    client.delete(f"/performances/{performance.pk}/selection/seats/{ids[0]}")
    assert session_cookie(client) == first


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
