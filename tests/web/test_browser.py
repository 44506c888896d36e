"""The buyer's pages in headless Chromium (Debian's /usr/bin/chromium) against a real
Sandali server process with its WebSocket and its sweeper."""

import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from catalog.models import Seat
from reservations.models import Hold
from reservations.services import hold_seats
from tests.factories import expire_hold, make_performance, seat_ids
from tests.servers import module_server, sandali_server
from tests.web.seatmap_probe import click_seat, label_of, probe, status_of, wait_for_status

pytestmark = pytest.mark.django_db(transaction=True)
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls
    # are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """One server process for the module's tests (tests/servers.py: SHARED_SERVER_SETTINGS)."""
    with module_server(django_db_blocker) as base:
        yield base


def open_page(browser, url: str, language: str = "en", phone: bool = False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(
        viewport=size, locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    return page


def save(page, name: str) -> None:
    if os.environ.get("SANDALI_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_a_buyer_holds_three_seats_checks_out_and_gets_three_qr_tickets(browser, server):
    performance = make_performance(sections=2, rows=2, seats_per_row=8)
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    for seat_id in ids[:3]:
        click_seat(page, seat_id)
        wait_for_status(page, seat_id, "mine")
    assert page.locator("#basket-seats li").count() == 3
    assert re.fullmatch(r"(09|10):\d\d", page.locator("#countdown").inner_text())
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert len(probe(page, "mine()")) == 3, "a reload keeps the hold"
    page.click("#to-checkout")
    page.fill("input[name=name]", "Ava Buyer")
    page.fill("input[name=email]", "ava@example.org")
    page.fill("input[name=phone]", "+98 912 000 0000")
    page.click("button[type=submit]")
    page.wait_for_selector(".ticket")
    assert page.locator(".ticket").count() == 3
    assert page.locator(".ticket .qr svg").count() == 3
    codes = page.locator(".ticket .code").all_inner_texts()
    assert len(set(codes)) == 3 and all(len(code) == 16 for code in codes)
    save(page, "tickets.png")
    page.reload()
    assert page.locator(".ticket").count() == 3, "the order page keeps working"


def test_two_browsers_race_for_one_seat_and_the_loser_sees_it_taken(browser, server):
    performance = make_performance()
    target = seat_ids(performance)[4]
    url = f"{server}/performances/{performance.pk}/"
    first, second = open_page(browser, url), open_page(browser, url)
    # Both click before either page has heard of the other's choice (each click only sends).
    click_seat(first, target)
    click_seat(second, target)
    # Within a second one page shows the seat as the buyer's and the other as taken.
    deadline = time.monotonic() + 1.0
    while True:
        shown = sorted(status_of(page, target) for page in (first, second))
        if shown == ["mine", "reserved"]:
            break
        assert time.monotonic() < deadline, f"not settled within a second: {shown}"
        time.sleep(0.02)


def test_two_tabs_of_one_browser_show_the_same_hold_when_the_buyer_comes_back(browser, server):
    performance = make_performance()
    target = seat_ids(performance)[2]
    url = f"{server}/performances/{performance.pk}/"
    first = open_page(browser, url)
    second = first.context.new_page()  # the same browser: the same session, so the same hold
    second.goto(url)
    second.wait_for_selector("body[data-ready=true]")
    click_seat(first, target)
    wait_for_status(first, target, "mine")
    # The other tab hears of the seat as taken; back in it, the buyer sees it as theirs.
    wait_for_status(second, target, "reserved")
    second.bring_to_front()
    second.evaluate("window.dispatchEvent(new Event('focus'))")
    wait_for_status(second, target, "mine")
    assert second.locator("#basket-seats li").count() == 1


def session_cookie(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")


def holds_of(ids) -> set:
    return set(Seat.objects.filter(id__in=ids).values_list("hold_id", flat=True))


def expire_and_wait(pages, seat_id: int) -> None:
    expire_hold(Hold.objects.get())
    for page in pages:
        wait_for_status(page, seat_id, "available")


def test_fast_clicks_that_change_the_session_id_all_land_in_one_hold(browser, server):
    """The first of these clicks starts a new hold, which gives the session a new id and
    deletes the old one: the clicks sent at once still end in one hold, in one session."""
    performance = make_performance()
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    click_seat(page, ids[0])
    wait_for_status(page, ids[0], "mine")
    before = session_cookie(page)
    expire_and_wait([page], ids[0])
    chosen = ids[1:6]
    for seat_id in chosen:
        click_seat(page, seat_id)
    for seat_id in chosen:
        wait_for_status(page, seat_id, "mine")
    assert session_cookie(page) != before
    assert len(holds_of(chosen)) == 1 and Hold.objects.count() == 2
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert len(probe(page, "mine()")) == len(chosen)


def test_two_tabs_choosing_at_once_as_the_session_id_changes_share_one_hold(browser, server):
    performance = make_performance()
    ids = seat_ids(performance)
    url = f"{server}/performances/{performance.pk}/"
    first = open_page(browser, url)
    second = first.context.new_page()
    second.goto(url)
    second.wait_for_selector("body[data-ready=true]")
    click_seat(first, ids[0])
    wait_for_status(first, ids[0], "mine")
    expire_and_wait([first, second], ids[0])
    click_seat(first, ids[1])
    click_seat(second, ids[2])
    wait_for_status(second, ids[2], "mine")
    wait_for_status(first, ids[1], "mine")
    assert len(holds_of(ids[1:3])) == 1 and Hold.objects.count() == 2


def test_pay_clicked_twice_shows_the_order_once_paid(browser, server):
    """Paying gives the session a new id and deletes the old one: a second click must not
    send the form again with the old cookie (it would find no selection and no order)."""
    performance = make_performance()
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    click_seat(page, ids[0])
    wait_for_status(page, ids[0], "mine")
    page.click("#to-checkout")
    page.fill("input[name=name]", "Ava Buyer")
    page.fill("input[name=email]", "ava@example.org")
    # The guard is checkout.js, a module that may still be loading on a slow machine; a
    # buyer takes longer than that to fill the form in.
    page.wait_for_selector("form.checkout[data-ready]", state="attached")
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    page.evaluate(
        """() => {
          const pay = document.querySelector("button[type=submit]");
          pay.click();
          setTimeout(() => pay.click(), 20);
        }"""
    )
    page.wait_for_selector(".ticket", timeout=5000)
    assert page.locator(".ticket").count() == 1
    assert len(posts) == 1, posts


def test_an_eleventh_seat_shows_the_persian_toast_and_sends_no_request(browser, server):
    performance = make_performance(sections=2, rows=2, seats_per_row=8)
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/", language="fa")
    for seat_id in ids[:10]:
        click_seat(page, seat_id)
        wait_for_status(page, seat_id, "mine")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    click_seat(page, ids[10])
    toast = page.locator(".toast").last
    toast.wait_for()
    assert "حداکثر" in toast.inner_text() and "۱۰" in toast.inner_text()
    page.wait_for_timeout(300)
    assert [url for url in requests if "/selection" in url] == []
    assert status_of(page, ids[10]) == "available"


def test_a_choice_that_would_strand_a_seat_shows_the_persian_toast(browser, server):
    from catalog.models import Performance

    performance = make_performance(sections=1, rows=1, seats_per_row=6)
    Performance.objects.filter(pk=performance.pk).update(refuse_single_seat_gaps=True)
    ids = dict(performance.seats.values_list("number", "id"))
    page = open_page(browser, f"{server}/performances/{performance.pk}/", language="fa")
    click_seat(page, ids[2])  # would leave seat 1 alone at the row's end
    toast = page.locator(".toast", has_text="تنها می‌گذارد")
    toast.wait_for(timeout=5000)
    assert "صندلی ۱ از ردیف A" in toast.inner_text()
    assert status_of(page, ids[2]) == "available"
    click_seat(page, ids[1])
    wait_for_status(page, ids[1], "mine")


def hold_elsewhere(performance, ids) -> None:
    """Another buyer's hold, made on a thread of its own: this one runs Playwright's event
    loop, and a hold publishes its change through async_to_sync."""

    def hold():
        try:
            hold_seats(performance_id=performance.pk, seat_ids=ids)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(hold).result()


def test_a_taken_seat_says_whether_any_seat_of_its_kind_is_left(browser, server):
    performance = make_performance()
    ids = seat_ids(performance)  # section 1: ids[0:5] Normal, ids[5:10] Student
    hold_elsewhere(performance, ids[5:10])
    hold_elsewhere(performance, ids[:1])
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    click_seat(page, ids[0])  # aria-disabled
    page.locator(".toast", has_text="Somebody else has just taken a seat").wait_for(timeout=5000)
    click_seat(page, ids[5])
    page.locator(".toast", has_text="No Student seats are left in Section 1.").wait_for(
        timeout=5000
    )
    assert [url for url in requests if "/selection" in url] == []


def test_a_choice_refused_by_the_server_says_whether_any_seat_of_its_kind_is_left(browser):
    performance = make_performance()
    ids = seat_ids(performance)
    with sandali_server(SANDALI_SNAPSHOT_SECONDS="0") as base:
        page = open_page(browser, f"{base}/performances/{performance.pk}/")
        refusals = []
        page.on(
            "response",
            lambda response: "/selection/seats/" in response.url and refusals.append(response),
        )
        # Held in this test's process: the page hears of a hold only when the server refuses
        # a seat, and then reads the map again. Held after the socket's snapshot, which would
        # otherwise show the seats taken before the click.
        page.wait_for_selector("body[data-live=true]")
        hold_elsewhere(performance, ids[5:10])
        click_seat(page, ids[5])
        page.locator(".toast", has_text="No Student seats are left in Section 1.").wait_for(
            timeout=5000
        )
        hold_elsewhere(performance, ids[:1])
        click_seat(page, ids[0])
        page.locator(".toast", has_text="Somebody else has just taken a seat").wait_for(
            timeout=5000
        )
        assert [response.status for response in refusals] == [409, 409]


def test_a_hold_that_expires_clears_the_selection_and_says_why(browser, server):
    performance = make_performance()
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    for seat_id in ids[:2]:
        click_seat(page, seat_id)
        wait_for_status(page, seat_id, "mine")
    expire_hold(Hold.objects.get())
    wait_for_status(page, ids[0], "available")
    assert page.locator("#basket").is_hidden()
    assert "expired" in page.locator(".toast").last.inner_text()


def test_the_persian_page_is_right_to_left_with_persian_digits(browser, server):
    performance = make_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/", language="fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "fa"
    assert re.search(r"[۰-۹]", page.locator(".when").inner_text())
    label = label_of(page, seat_ids(performance)[0])
    assert "ردیف" in label and "آزاد" in label


def test_every_seat_is_reachable_and_chosen_by_keyboard(browser, server):
    performance = make_performance()
    ids = seat_ids(performance)
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    page.locator("#seat-map").focus()  # one Tab stop; the current seat is its active descendant
    current = page.locator("#seat-current")
    assert current.get_attribute("data-seat-id") == str(ids[0])
    page.keyboard.press("Enter")
    wait_for_status(page, ids[0], "mine")
    label = current.get_attribute("aria-label")
    assert "row A" in label and "Normal" in label and "your choice" in label
    assert current.get_attribute("aria-pressed") == "true"
    page.keyboard.press("ArrowRight")
    assert current.get_attribute("data-seat-id") == str(ids[1])
    assert "available" in current.get_attribute("aria-label")


def test_a_ticket_link_opens_the_order_on_another_device_with_no_secret_left_in_the_address(
    browser, server
):
    from orders.access import issue_access_link
    from tests.factories import make_order

    performance = make_performance(sections=1, rows=1, seats_per_row=4)

    def buy():  # on a thread of its own: a sale publishes through async_to_sync (see above)
        try:
            return make_order(performance, seats=2).order
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        order = pool.submit(buy).result()
    secret = issue_access_link(order_id=order.pk)
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sent = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(f"{server}/orders/open#{secret}")
    page.wait_for_selector(".ticket")
    assert page.url == f"{server}/orders/{order.pk}/"
    assert page.locator("li.ticket").count() == 2
    assert not any(secret in url for url in sent), "the secret never goes into a URL"
    page.go_back()
    assert secret not in page.url
    phone.close()


def test_a_ticket_link_cut_short_by_a_mail_program_asks_for_the_code(browser, server):
    for broken in ("", "#", "#abc%zz"):
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(error))
        page.goto(f"{server}/orders/open{broken}")
        page.wait_for_selector("form.ticket-link input[name=secret]", state="visible")
        assert page.locator("#opening").count() == 0 and not errors
        page.close()
