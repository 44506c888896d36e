"""The provider's hosted page through the API (api/payment_pages.py): an API client starts the
payment, sends its buyer to `payment_url`, and asks on the buyer's return; with the test
provider's own page, whose Pay and Cancel are driven by an HTTP POST as its form sends them.
Webhooks are off: only the return settles here."""

import pytest

from orders.models import GatewayVisit, Order, PaymentAttempt, PaymentStatus
from payments.models import Charge
from reservations.models import Hold
from tests.api.helpers import assert_problem, post, snapshot
from tests.factories import expire_hold, seat_ids

pytestmark = pytest.mark.django_db

RETURN = "https://shop.example/paid"
BUYER = {"name": "Ava", "email": "ava@example.org", "phone": "", "return_url": RETURN}


@pytest.fixture(autouse=True)
def hosted_page(settings):
    settings.SANDALI_PAYMENT_REDIRECT = True
    settings.SANDALI_TEST_PAYMENT_WEBHOOKS = False


@pytest.fixture
def hold(client, performance):
    created = post(client, f"/performances/{performance.pk}/holds",
                   {"seats": seat_ids(performance)[:2]})  # fmt: skip
    assert created.status_code == 201
    return created.json()


def start(client, hold, *, key="page-1", body=None, lang="en"):
    return post(client, f"/holds/{hold['id']}/payment-page", body or BUYER,
                token=hold["token"], key=key, lang=lang)  # fmt: skip


def come_back(client, hold, *, key="page-1"):
    return post(client, f"/holds/{hold['id']}/payment-page/return", {},
                token=hold["token"], key=key)  # fmt: skip


def click(client, payment_url: str, action: str):
    """The buyer's click at the test provider's page: its form's POST."""
    answer = client.post(payment_url, {"action": action})
    assert answer.status_code == 302 and answer["Location"] == RETURN
    return answer


def test_paying_at_the_page_and_coming_back_makes_the_order(client, hold):
    started = start(client, hold)
    assert started.status_code == 200, started.content
    url = started.json()["payment_url"]
    visit = GatewayVisit.objects.get()
    assert url == f"http://testserver/pay/test/{visit.reference}/"
    assert start(client, hold).json() == {"payment_url": url}  # the same key: the same page
    assert_problem(come_back(client, hold), 409, "payment_not_finished")
    click(client, url, "pay")
    made = come_back(client, hold)
    assert made.status_code == 201, made.content
    order = made.json()
    assert len(order["tickets"]) == 2 and order["token"] and order["total"] == "40.00"
    again = come_back(client, hold)
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    settled = start(client, hold)  # starting again once settled: the order, as checkout does
    assert settled.status_code == 201 and settled.json()["id"] == order["id"]
    assert Order.objects.count() == 1 and Charge.objects.filter(approved=True).count() == 1
    assert PaymentAttempt.objects.get().language == "en"


def test_the_order_token_opens_the_order(client, hold):
    url = start(client, hold).json()["payment_url"]
    click(client, url, "pay")
    order = come_back(client, hold).json()
    read = client.get(f"/api/v1/orders/{order['id']}",
                      HTTP_AUTHORIZATION=f"Bearer {order['token']}")  # fmt: skip
    assert read.status_code == 200 and read.json()["id"] == order["id"]


def test_cancelling_at_the_page_is_declined_and_the_same_key_pays_at_a_new_page(client, hold):
    first = start(client, hold, lang="fa").json()["payment_url"]
    assert PaymentAttempt.objects.get().language == "fa"
    click(client, first, "cancel")
    assert_problem(come_back(client, hold), 402, "payment_declined")
    second = start(client, hold).json()["payment_url"]
    assert second != first and PaymentAttempt.objects.get().tries == 2
    click(client, second, "pay")
    assert come_back(client, hold).status_code == 201


def test_a_hold_that_expired_at_the_page_is_refunded_on_return(client, hold):
    url = start(client, hold).json()["payment_url"]
    expire_hold(Hold.objects.get(pk=hold["id"]))
    click(client, url, "pay")
    assert_problem(come_back(client, hold), 409, "payment_refunded")
    assert PaymentAttempt.objects.get().status == PaymentStatus.REFUNDED
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "return_url",
    ["ftp://shop.example/paid", "javascript:alert(1)", "//shop.example/paid", "/paid",
     "https://user:pass@shop.example/paid", "https://shop.example:port/paid"],
)  # fmt: skip
def test_a_return_url_that_is_not_http_is_refused_and_changes_nothing(client, hold, return_url):
    before = snapshot()
    refused = start(client, hold, body={**BUYER, "return_url": return_url})
    assert_problem(refused, 422, "return_url_not_allowed")
    assert snapshot() == before and not PaymentAttempt.objects.exists()


def test_in_production_only_the_site_or_an_allowed_origin_over_https(client, hold, settings):
    settings.PRODUCTION = True
    settings.SANDALI_PUBLIC_URL = "https://tickets.example"
    settings.SANDALI_ALLOWED_ORIGINS = ["https://shop.example"]
    refused_urls = [
        "http://shop.example/paid",
        "https://evil.example/paid",
        "https://shop.example.evil.example/paid",
        "http://tickets.example/back",
    ]
    for refused in refused_urls:
        answer = start(client, hold, body={**BUYER, "return_url": refused})
        assert_problem(answer, 422, "return_url_not_allowed")
    assert not PaymentAttempt.objects.exists()
    own_site = {**BUYER, "return_url": "https://tickets.example/back"}
    assert start(client, hold, key="own", body=own_site).status_code == 200
    assert start(client, hold, key="own").status_code == 200  # the listed origin


def test_the_checkouts_refusals(client, hold, performance):
    assert_problem(start(client, hold, key=None), 422, "idempotency_key_required")
    assert_problem(come_back(client, hold, key=None), 422, "idempotency_key_required")
    stranger = {**hold, "token": "not-the-token"}
    assert_problem(start(client, stranger), 404, "hold_not_found")
    assert_problem(come_back(client, stranger), 404, "hold_not_found")
    unauthenticated = post(client, f"/holds/{hold['id']}/payment-page", BUYER, key="k")
    assert unauthenticated.status_code == 401
    invalid = start(client, hold, body={**BUYER, "email": "not-an-address"})
    assert_problem(invalid, 422, "validation_error")
    assert_problem(come_back(client, hold, key="never-started"), 409, "payment_not_finished")
    expire_hold(Hold.objects.get(pk=hold["id"]))
    assert_problem(start(client, hold, key="late"), 410, "hold_expired")


def test_a_provider_without_a_page_is_refused(client, hold, settings):
    settings.SANDALI_PAYMENT_REDIRECT = False
    assert_problem(start(client, hold), 409, "payment_page_not_offered")
    assert not PaymentAttempt.objects.exists()


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    page = paths["/api/v1/holds/{hold_id}/payment-page"]["post"]
    assert {"200", "201", "409", "422"} <= set(page["responses"])
    assert "PaymentPageIn" in str(page["requestBody"])
    assert "return_url" in schema["components"]["schemas"]["PaymentPageIn"]["required"]
    assert "/api/v1/holds/{hold_id}/payment-page/return" in paths
