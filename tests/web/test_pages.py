"""The buyer's pages through Django's test client: the hold and order tokens stay in the
server-side session; pages render in both languages."""

import pytest

from catalog.models import Seat
from orders.models import Order
from reservations.models import Hold
from tests.factories import expire_hold, seat_ids
from web.session import hold_token

pytestmark = pytest.mark.django_db


def choose(client, performance, seat_id):
    return client.post(f"/performances/{performance.pk}/selection/seats/{seat_id}")


def test_choices_build_one_hold_kept_in_the_session(client, performance):
    ids = seat_ids(performance)
    assert choose(client, performance, ids[0]).json()["seats"] == [ids[0]]
    body = choose(client, performance, ids[1]).json()
    assert body["seats"] == ids[:2] and body["expires_at"] and body["now"]
    assert Hold.objects.count() == 1
    seed = client.session["holds"][str(performance.pk)]["seed"]
    page = client.get(f"/performances/{performance.pk}/").content.decode()
    for secret in (seed, hold_token(seed)):
        assert secret not in page and secret not in str(body)
    released = client.delete(f"/performances/{performance.pk}/selection/seats/{ids[0]}")
    assert released.json()["seats"] == [ids[1]]


def test_a_seat_taken_by_someone_else_is_a_409_and_keeps_the_rest(client, performance):
    from django.test import Client

    ids = seat_ids(performance)
    choose(client, performance, ids[0])
    choose(Client(), performance, ids[1])
    refused = choose(client, performance, ids[1])
    assert refused.status_code == 409 and refused.json()["code"] == "seats_unavailable"
    assert client.get(f"/performances/{performance.pk}/selection").json()["seats"] == [ids[0]]


def test_a_choice_after_expiry_starts_a_new_hold(client, performance):
    ids = seat_ids(performance)
    choose(client, performance, ids[0])
    expire_hold(Hold.objects.get())
    assert client.get(f"/performances/{performance.pk}/selection").json()["seats"] == []
    assert choose(client, performance, ids[1]).json()["seats"] == [ids[1]]
    assert Hold.objects.count() == 2


def test_checkout_turns_the_selection_into_an_order_shown_only_to_this_browser(client, performance):
    from django.test import Client

    ids = seat_ids(performance)
    for seat_id in ids[:2]:
        choose(client, performance, seat_id)
    assert client.get(f"/performances/{performance.pk}/checkout").status_code == 200
    fields = {"name": "Ava", "email": "ava@example.org", "phone": ""}
    done = client.post(f"/performances/{performance.pk}/checkout", fields)
    order = Order.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/orders/{order.pk}/"
    page = client.get(done["Location"])
    assert page.status_code == 200 and page.content.decode().count('<li class="ticket') == 2
    assert set(Seat.objects.filter(id__in=ids[:2]).values_list("status", flat=True)) == {"sold"}
    assert Client().get(done["Location"]).status_code == 404
    # Back, then Pay again: the buyer is shown what they bought, and nothing is charged again.
    again = client.post(f"/performances/{performance.pk}/checkout", fields)
    assert again.status_code == 302 and again["Location"] == done["Location"]
    assert Order.objects.count() == 1


def test_a_checkout_whose_answer_was_lost_is_finished_by_sending_it_again(
    client, performance, monkeypatch
):
    """The provider approved, but the request failed before the order was made (here the
    provider's answer never came): sending the form again pays once and shows the order."""
    from orders.models import PaymentAttempt
    from payments.models import Charge
    from payments.providers import TestPaymentProvider

    for seat_id in seat_ids(performance)[:2]:
        choose(client, performance, seat_id)
    charge = TestPaymentProvider.charge

    def lost_answer(self, **kwargs):
        charge(self, **kwargs)
        raise TimeoutError("no answer from the provider")

    monkeypatch.setattr(TestPaymentProvider, "charge", lost_answer)
    fields = {"name": "Ava", "email": "ava@example.org", "phone": ""}
    failed = client.post(f"/performances/{performance.pk}/checkout", fields, follow=True)
    assert "could not be confirmed" in failed.content.decode()
    assert PaymentAttempt.objects.get().status == "pending"
    monkeypatch.undo()
    done = client.post(f"/performances/{performance.pk}/checkout", fields)
    order = Order.objects.get()
    assert done["Location"] == f"/orders/{order.pk}/"
    assert Charge.objects.count() == 1 and order.payment_reference == Charge.objects.get().reference


def test_checkout_without_seats_sends_the_buyer_back_to_the_map(client, performance):
    response = client.get(f"/performances/{performance.pk}/checkout")
    assert response.status_code == 302
    assert response["Location"] == f"/performances/{performance.pk}/"


def test_pages_render_in_persian_with_jalali_dates(client, performance):
    page = client.get(f"/performances/{performance.pk}/", HTTP_ACCEPT_LANGUAGE="fa")
    html = page.content.decode()
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    assert "صحنه" in html  # "Stage"
    assert any(month in html for month in ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد",
        "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"))  # fmt: skip


def test_an_unknown_performance_page_is_404(client):
    assert client.get("/performances/999999/").status_code == 404


def test_ids_beyond_any_row_are_refused_not_crashed(client, performance):
    huge = 2**64
    assert choose(client, performance, huge).status_code == 404  # no such seat can exist
    assert client.post(f"/performances/{huge}/selection/seats/1").status_code in (404, 422)
    assert client.get(f"/performances/{huge}/").status_code == 404


def test_the_seat_map_is_given_the_urls_of_the_routes_it_calls(client, performance):
    from live.consumers import PerformanceSeatsConsumer
    from live.routing import websocket_urlpatterns

    seat_id = seat_ids(performance)[0]
    urls = client.get(f"/performances/{performance.pk}/").context["config"]["urls"]
    # The seats come packed by column (seatmap-wire.js reads them): one per seat.
    assert client.get(urls["seats"]).json()["n"] == len(seat_ids(performance))
    assert client.get(urls["selection"]).json()["seats"] == []
    # seatmap.js chooses a seat at the selection's URL + "/seats/<id>".
    assert client.post(f"{urls['selection']}/seats/{seat_id}").json()["seats"] == [seat_id]
    assert client.get(urls["checkout"]).status_code == 200
    (match,) = [
        found
        for pattern in websocket_urlpatterns
        if (found := pattern.resolve(urls["socket"].removeprefix("/")))
    ]
    assert match.func.consumer_class is PerformanceSeatsConsumer
    assert match.kwargs == {"performance_id": performance.pk}


def test_the_home_page_lists_performances_and_links_the_api_docs_and_the_admin(client, performance):
    page = client.get("/").content.decode()
    assert f'href="/performances/{performance.pk}/"' in page
    assert 'href="/api/docs"' in page and 'href="/admin/"' in page


def test_choosing_beyond_the_rate_is_the_apis_429_problem_with_retry_after(
    client, performance, settings
):
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "holds": "1/60"}
    ids = seat_ids(performance)
    choose(client, performance, ids[0])
    refused = client.post(
        f"/performances/{performance.pk}/selection/seats/{ids[1]}", HTTP_ACCEPT_LANGUAGE="fa"
    )
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "rate_limited" and "ثانیه" in refused.json()["detail"]


def test_a_refusal_on_the_page_is_the_same_problem_as_in_the_api(client, performance):
    import json

    from django.test import Client

    ids = seat_ids(performance)
    choose(Client(), performance, ids[0])
    page = choose(client, performance, ids[0])
    api = client.post(
        f"/api/v1/performances/{performance.pk}/holds",
        json.dumps({"seats": [ids[0]]}),
        content_type="application/json",
    )
    assert page.status_code == api.status_code == 409
    assert page["Content-Type"] == api["Content-Type"] == "application/problem+json"
    assert page.json() == api.json()
