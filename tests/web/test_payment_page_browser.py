"""Paying at the test provider's hosted page, in Chromium, against a real Sandali server
(uvicorn on SQLite, with its in-process worker as the sweeper): pay; cancel at the page and
pay again; close the tab and come back (the webhook, or without it the sweeper, finished it);
pay after the hold expired, and the refund is reported."""

import time

import pytest

from catalog.models import Seat
from orders.models import Order, PaymentAttempt, PaymentStatus
from payments.models import Charge
from reservations.models import Hold
from tests.factories import expire_hold, make_performance, seat_ids
from tests.servers import SERVER_PROCESSES, sandali_server
from tests.web.seatmap_probe import hold_and_fill_checkout
from tests.web.test_browser import browser, open_page  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def server(django_db_setup):
    with sandali_server(SANDALI_PAYMENT_REDIRECT="1") as base:
        yield base


@pytest.fixture(scope="module")
def server_without_webhooks(django_db_setup):
    """A provider whose webhooks are lost: only the sweeper can finish a closed tab's payment."""
    settings = {"SANDALI_TEST_PAYMENT_WEBHOOKS": "0", "SANDALI_PAYMENT_RECOVERY_SECONDS": "0.5"}
    with sandali_server(SANDALI_PAYMENT_REDIRECT="1", **settings) as base:
        yield base


def to_the_payment_page(browser, base, performance, language="en"):  # noqa: F811
    ids = seat_ids(performance)
    page = open_page(browser, f"{base}/performances/{performance.pk}/", language=language)
    hold_and_fill_checkout(page, ids[:2])
    page.wait_for_selector("form.checkout[data-ready]", state="attached")
    page.click("form.checkout button[type=submit]")
    page.wait_for_selector("form.gateway")
    assert "/pay/test/tc_" in page.url
    return page


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.1)


def test_a_buyer_pays_at_the_page_and_gets_the_tickets(browser, server):  # noqa: F811
    performance = make_performance()
    page = to_the_payment_page(browser, server, performance)
    assert page.locator("#amount").inner_text()
    page.click("button[value=pay]")
    page.wait_for_selector(".ticket")
    assert page.locator(".ticket").count() == 2
    assert Order.objects.count() == 1 and Charge.objects.filter(approved=True).count() == 1


def test_cancel_at_the_page_keeps_the_seats_and_the_buyer_pays_again_in_persian(
    browser,  # noqa: F811
    server,
):
    performance = make_performance()
    page = to_the_payment_page(browser, server, performance, language="fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click("button[value=cancel]")
    page.wait_for_selector("form.checkout[data-ready]", state="attached")
    assert "پذیرفته نشد" in page.locator(".notice").inner_text()
    held = Seat.objects.filter(id__in=seat_ids(performance)[:2], status="reserved")
    assert held.count() == 2
    assert page.input_value("input[name=name]") == "Ava Buyer", "what the buyer typed stays"
    assert page.input_value("input[name=email]") == "ava@example.org"
    page.click("form.checkout button[type=submit]")
    page.wait_for_selector("form.gateway")
    page.click("button[value=pay]")
    page.wait_for_selector(".ticket")
    assert PaymentAttempt.objects.get().tries == 2 and Order.objects.count() == 1


@pytest.mark.parametrize("finisher", ["webhook", "sweeper"])
def test_a_buyer_who_closed_the_tab_after_paying_finds_the_order_on_coming_back(
    browser,  # noqa: F811
    server,
    server_without_webhooks,
    finisher,
):
    base = server if finisher == "webhook" else server_without_webhooks
    performance = make_performance()
    page = to_the_payment_page(browser, base, performance)

    def paid_then_closed(route):
        """The provider takes the payment (Pay reaches it), and the tab closes before its
        answer sends the buyer back (a redirect is not routed, so the POST is cut here)."""
        if route.request.method != "POST":
            return route.continue_()
        route.fetch(max_redirects=0)
        return route.abort()

    page.route("**/pay/test/**", paid_then_closed)
    page.click("button[value=pay]")
    wait_for(lambda: Order.objects.exists())
    page.close()
    back = page.context.new_page()  # the same browser, later
    back.goto(f"{base}/performances/{performance.pk}/checkout")
    back.wait_for_selector(".ticket")
    assert back.locator(".ticket").count() == 2
    assert PaymentAttempt.objects.get().status == PaymentStatus.PAID


def test_paying_after_the_hold_expired_is_refunded_and_the_buyer_told(browser, server):  # noqa: F811
    performance = make_performance()
    page = to_the_payment_page(browser, server, performance)
    expire_hold(Hold.objects.get())  # the buyer lingered at the page past the hold's time
    page.click("button[value=pay]")
    page.wait_for_selector("body[data-ready=true]")  # back on the seat map
    assert "refunded" in page.locator(".notice").inner_text()
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentStatus.REFUNDED
    assert Charge.objects.get().refund_reference == attempt.refund_reference
    assert not Order.objects.exists()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_payment_page_and_the_return_notice_have_no_axe_violations(
    browser,  # noqa: F811
    server,
    language,
):
    from tests.web.test_axe import assert_no_violations

    performance = make_performance()
    page = to_the_payment_page(browser, server, performance, language=language)
    assert_no_violations(page, f"the test provider's page ({language})")
    page.click("button[value=cancel]")
    page.wait_for_selector("form.checkout[data-ready]", state="attached")
    assert_no_violations(page, f"the checkout after a cancel at the page ({language})")


def test_a_server_killed_after_the_buyer_paid_at_the_page_leaves_an_order(browser, django_db_setup):  # noqa: F811
    """SIGKILL of the server that took the buyer's Pay, before the buyer is back and before
    any webhook: the next server's sweeper asks the provider and makes the order, and the
    buyer finds it on coming back (cookies are per host, so the next port shares them)."""
    settings = {"SANDALI_TEST_PAYMENT_WEBHOOKS": "0", "SANDALI_PAYMENT_RECOVERY_SECONDS": "0.5"}
    performance = make_performance()
    with sandali_server(SANDALI_PAYMENT_REDIRECT="1", **settings) as first:
        page = to_the_payment_page(browser, first, performance)

        def paid_then_killed(route):
            if route.request.method != "POST":
                return route.continue_()
            route.fetch(max_redirects=0)  # the provider took the payment
            SERVER_PROCESSES[first].kill()  # and Sandali's server died before the return
            return route.abort()

        page.route("**/pay/test/**", paid_then_killed)
        page.click("button[value=pay]")
        wait_for(lambda: SERVER_PROCESSES[first].poll() is not None)
    assert PaymentAttempt.objects.get().status == PaymentStatus.PENDING
    assert Charge.objects.get().approved
    with sandali_server(SANDALI_PAYMENT_REDIRECT="1", **settings) as second:
        wait_for(lambda: Order.objects.exists(), seconds=20)
        back = page.context.new_page()
        back.goto(f"{second}/performances/{performance.pk}/checkout")
        back.wait_for_selector(".ticket")
    assert back.locator(".ticket").count() == 2
    assert Charge.objects.count() == 1 and not Charge.objects.get().refund_reference
