"""The waiting room's page in headless Chromium against a real server: a buyer sent to the
queue sees their place and the wait, with nothing to click, and is taken to the seat map when
let in, where a seat can be held; in Persian, right to left with Persian digits."""

import json
import re
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from core.dbtime import db_now
from tests.factories import make_performance, seat_ids
from tests.web.seatmap_probe import click_seat, wait_for_status
from tests.web.test_browser import browser, save, server  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def with_room(rate: int):
    performance = make_performance()
    performance.waiting_room = True
    performance.waiting_room_rate = rate
    performance.sales_start = db_now() - timedelta(seconds=1)
    performance.save()
    return performance


def join_through_the_api(base: str, performance_id: int) -> None:
    request = urllib.request.Request(
        f"{base}/api/v1/performances/{performance_id}/queue",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["token"]


@pytest.mark.parametrize(
    ("language", "words", "digits"),
    [("en", "Your place in the queue", r"[1-9]"), ("fa", "جای شما در صف", r"[۱-۹]")],
)
def test_the_queue_shows_the_place_and_goes_to_the_map_when_admitted(
    browser,  # noqa: F811
    server,  # noqa: F811
    language,
    words,
    digits,
):
    performance = with_room(rate=30)  # one every 2 s
    for _ in range(3):  # one let in at once, two ahead of the browser
        join_through_the_api(server, performance.pk)
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto(f"{server}/performances/{performance.pk}/")
    assert page.url.endswith(f"/performances/{performance.pk}/queue/")
    position = page.locator("#queue-position")
    assert words in position.inner_text()
    assert re.search(digits, position.inner_text())
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "fa" else "ltr")
    save(page, f"queue-{language}.png")
    # Nothing to click: the page asks until it is let in, then shows the seat map.
    page.wait_for_url(f"{server}/performances/{performance.pk}/", timeout=20_000)
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    first = seat_ids(performance)[0]
    click_seat(page, first)
    wait_for_status(page, first, "mine")
    context.close()


def test_a_click_after_the_pass_is_gone_goes_back_through_the_queue(browser, server):  # noqa: F811
    from django.contrib.sessions.backends.db import SessionStore

    performance = with_room(rate=60_000)  # the queue lets it in again at once
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/performances/{performance.pk}/queue/")
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)  # let in at once
    cookie = next(c for c in context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session["waiting_room_passes"] = {}  # as if it had expired
    session.save()
    pages_asked = []
    page.on("request", lambda r: r.is_navigation_request() and pages_asked.append(r.url))
    click_seat(page, seat_ids(performance)[0])
    for _ in range(100):  # the queue answers with a redirect: no page of its own to wait for
        if len(pages_asked) >= 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    assert pages_asked == [
        f"{server}/performances/{performance.pk}/queue/",
        f"{server}/performances/{performance.pk}/",
    ]
    context.close()


# Counts the asks the page has set (web/static/web/queue.js: setTimeout(ask, ...)), so that
# the test moves the page's clock only once the next one is set.
COUNT_ASKS_SET = """
window.asksSet = 0;
const setTimer = window.setTimeout;
window.setTimeout = function (callback, ...rest) {
  if (callback && callback.name === "ask") window.asksSet += 1;
  return setTimer.call(this, callback, ...rest);
};
"""


@pytest.mark.parametrize(
    ("language", "paused", "words"),
    [
        ("en", "You keep your place", "Sold out"),
        ("fa", "جای شما در صف محفوظ است", "همهٔ صندلی‌های این اجرا فروخته شده"),
    ],
)
def test_a_queued_page_says_when_every_seat_is_held_then_sold_out_when_sold(
    browser,  # noqa: F811
    server,  # noqa: F811
    language,
    paused,
    words,
):
    """Every seat held: the queue pauses and the page says why, keeping the place; every seat
    sold: it says sold out and stops."""
    from tests.api.test_queue import sell_every_seat

    def in_thread(work):
        from django.db import connection

        try:
            return work()
        finally:
            connection.close()

    # Playwright's loop runs in this thread: the ORM works from another one.
    pool = ThreadPoolExecutor(1)
    performance = with_room(rate=60)  # one a second, once a seat is free
    buy = pool.submit(in_thread, lambda: sell_every_seat(performance)).result()  # all held
    for _ in range(2):
        join_through_the_api(server, performance.pk)
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    # The page's clock, which the test moves on: while paused the page asks again only after
    # 10 to 15 s (POLL_PAUSED_SECONDS, and its jitter), a wait that only slowed the test down.
    page.clock.install()
    page.add_init_script(COUNT_ASKS_SET)  # after the clock's: it wraps the fake setTimeout
    asks = []
    page.on("request", lambda request: request.resource_type == "fetch" and asks.append(request))

    def next_ask() -> dict:
        """The page's next ask and its answer. Once the page has set it (it does after reading
        the last answer), the clock jumps 16 s, past any delay the page may set (15 s at
        most): as before, when the test waited for it, a page that waits longer fails."""
        sent, deadline = len(asks), time.monotonic() + 15
        while page.evaluate("window.asksSet") <= sent and len(asks) == sent:
            assert time.monotonic() < deadline, "the page set no next ask"
            page.wait_for_timeout(20)
        if len(asks) == sent:  # (not already asked: the first ask comes by itself after 2 s)
            page.clock.fast_forward(16_000)
        deadline = time.monotonic() + 3
        while len(asks) == sent:
            assert time.monotonic() < deadline, "the page did not ask within 16 s"
            page.wait_for_timeout(20)
        return asks[sent].response().json()

    page.goto(f"{server}/performances/{performance.pk}/queue/")
    position = page.locator("#queue-position")
    page.locator("#queue-wait", has_text=paused).wait_for(timeout=15_000)
    for _ in range(2):  # asked and asked again: still waiting, not let in
        status = next_ask()
        assert status["paused"] and not status["admitted"] and not status["sold_out"]
    page.locator("#queue-wait", has_text=paused).wait_for(timeout=15_000)
    assert "queue" in page.url and "Sold out" not in position.inner_text()
    pool.submit(in_thread, buy).result()
    pool.shutdown()
    # The page's next ask once the server reads the seats again (its snapshot lives 1 s)
    # hears it: it says so, in the page's language, and stops. Never let in meanwhile.
    deadline = time.monotonic() + 15
    while not (status := next_ask())["sold_out"]:
        assert status["paused"] and not status["admitted"]
        assert time.monotonic() < deadline, "not told of the sell-out"
        page.wait_for_timeout(200)
    page.locator("#queue-position", has_text=words).wait_for(timeout=15_000)
    assert page.locator("#queue-progress").is_hidden()
    save(page, f"queue-sold-out-{language}.png")
    context.close()
