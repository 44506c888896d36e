"""The scanner page at the door in headless Chromium (Debian's /usr/bin/chromium) against a
real Sandali server process: a QR code shown to the (fake) camera, codes typed, and the
network taken away and given back."""

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from checkin.models import CheckIn
from tests.checkin.camera import qr_video
from tests.checkin.door import cancel, device, qr, sell
from tests.factories import make_performance
from tests.servers import module_server

pytestmark = pytest.mark.django_db(transaction=True)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A camera that the page may use without asking (a fake one: a test pattern, or a file).
CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def playwright():
    if not shutil.which(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + CAMERA)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """One server process for the module's tests (tests/servers.py: SHARED_SERVER_SETTINGS)."""
    with module_server(django_db_blocker) as base:
        yield base


def elsewhere(work):
    """Run `work` on a thread of its own and return what it returns: this thread runs
    Playwright's event loop, and selling seats publishes the change through async_to_sync."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def scanner(browser, url: str, language: str = "en"):
    context = browser.new_context(
        viewport=PHONE, locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    # Shown by pytest when a test fails: what the page said and what went wrong in it.
    page.on("console", lambda message: print(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: print(f"page error: {error}"))
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    return page


def result(page, expected: str, *, timeout: float = 10_000):
    """The answer shown, once it is `expected` (admitted, already_checked_in, ...)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator("#result")
    try:
        page.wait_for_selector(f'#result[data-result="{expected}"]', timeout=timeout)
    except PlaywrightTimeout:
        shown = box.get_attribute("data-result"), box.inner_text()
        raise AssertionError(f"expected {expected}, the page shows {shown}") from None
    return box


def type_code(page, code: str, expected: str):
    # The last answer goes first: two answers alike in a row (admitted, then admitted) would
    # otherwise let the wait read the old one, before the phone has decided the new code.
    page.locator("#result").evaluate("box => box.removeAttribute('data-result')")
    page.fill("#code-input", code)
    page.press("#code-input", "Enter")
    return result(page, expected)


def test_a_qr_code_shown_to_the_camera_is_admitted_then_already_used(playwright, server, tmp_path):
    performance = make_performance()
    (ticket,) = elsewhere(lambda: sell(performance))
    token = device(performance, name="Gate 2")
    video = qr_video(tmp_path / "ticket.y4m", qr(ticket))
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=ARGS + CAMERA + [f"--use-file-for-fake-video-capture={video}"],
    )
    try:
        page = scanner(browser, f"{server}/checkin/#token={token}")
        assert "#token" not in page.url, "the token leaves the address at once"
        admitted = result(page, "admitted", timeout=20_000)
        assert "Section 1 · row A · seat 1" in admitted.inner_text()
        assert admitted.get_attribute("data-offline") == "false"
        assert CheckIn.objects.get().device.name == "Gate 2"
        # Held up again after it was taken away: the camera kept scanning.
        used = result(page, "already_checked_in", timeout=20_000)
        assert "ALREADY USED" in used.inner_text() and "Gate 2" in used.inner_text()
        assert CheckIn.objects.count() == 1
    finally:
        browser.close()


def test_codes_typed_at_the_door_get_each_answer(browser, server):
    performance, elsewhere_show = make_performance(), make_performance()
    first, second = elsewhere(lambda: sell(performance, 2))
    (refunded,) = elsewhere(lambda: sell(performance, 1, first=5))
    elsewhere(lambda: cancel(refunded))
    (other,) = elsewhere(lambda: sell(elsewhere_show))
    token = device(performance, name="Gate 1")
    page = scanner(browser, f"{server}/checkin/")
    assert page.locator("#setup").is_visible()
    page.fill("#token-input", token)
    page.click("#token-form button")
    page.wait_for_selector("body[data-ready=true] #scanner:not([hidden])")
    # On the phone the show's time comes first, where a cut-off select still shows it.
    show = page.locator("#performance")
    assert show.evaluate("s => s.options[s.selectedIndex].text").endswith(performance.event.name)
    box = show.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    typed = f"{first.code[:4].lower()} {first.code[4:]}"
    assert "ADMITTED" in type_code(page, typed, "admitted").inner_text()
    used = type_code(page, first.code, "already_checked_in").inner_text()
    assert "ALREADY USED" in used and "Gate 1" in used and "Section 1 · row A" in used
    assert "NOT VALID" in type_code(page, "ABCDEFGHIJKLMNOP", "ticket_not_found").inner_text()
    assert "WRONG SHOW" in type_code(page, other.code, "wrong_performance").inner_text()
    assert "NOT VALID" in type_code(page, refunded.code, "ticket_cancelled").inner_text()
    assert type_code(page, qr(second), "admitted").get_attribute("data-offline") == "false"
    assert CheckIn.objects.count() == 2
    if os.environ.get("SANDALI_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / "scanner.png"))


def test_the_scanner_reads_in_persian_right_to_left(browser, server):
    performance = make_performance()
    (ticket,) = elsewhere(lambda: sell(performance))
    page = scanner(browser, f"{server}/checkin/#token={device(performance)}", language="fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    admitted = type_code(page, ticket.code, "admitted").inner_text()
    assert "پذیرفته" in admitted and "۱" in admitted
    assert "قبلاً" in type_code(page, ticket.code, "already_checked_in").inner_text()


def test_offline_the_phone_decides_queues_and_uploads_when_back(browser, server):
    performance, elsewhere_show = make_performance(), make_performance()
    first, second, third = elsewhere(lambda: sell(performance, 3))
    (refunded,) = elsewhere(lambda: sell(performance, 1, first=5))
    elsewhere(lambda: cancel(refunded))
    (other,) = elsewhere(lambda: sell(elsewhere_show))
    page = scanner(browser, f"{server}/checkin/#token={device(performance, name='Gate 3')}")
    # A function, not an expression: Playwright re-checks an expression with eval, which the
    # page's CSP refuses (seen when the worker was not in control at the first check).
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.wait_for_selector("#list-status:has-text('4')")
    (late,) = elsewhere(lambda: sell(performance, 1, first=7))  # sold after the download
    page.context.set_offline(True)

    admitted = type_code(page, qr(first), "admitted")
    assert admitted.get_attribute("data-offline") == "true"
    assert "Section 1 · row A · seat 1" in admitted.inner_text()
    assert "Gate 3" in type_code(page, qr(first), "already_checked_in").inner_text()
    type_code(page, qr(refunded), "ticket_cancelled")
    type_code(page, second.code, "admitted")  # typed: found in the list by its hash
    assert "not in the list" in type_code(page, qr(late), "admitted").inner_text().lower()
    forged = qr(third)[:-3] + ("AAA" if not qr(third).endswith("AAA") else "BBB")
    type_code(page, forged, "ticket_not_found")
    type_code(page, qr(other), "wrong_performance")
    assert page.locator("#queue-status").get_attribute("data-queued") == "3"
    assert not CheckIn.objects.exists()

    # No network (not even for the service worker's own fetch): its cache opens the scanner.
    assert (
        page.context.service_workers[0].evaluate(
            "fetch('/checkin/').then(() => 'network', () => 'no network')"
        )
        == "no network"
    )
    assert page.reload().from_service_worker
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    assert page.locator("#scanner").is_visible()
    assert page.locator("#queue-status").get_attribute("data-queued") == "3"
    type_code(page, second.code, "already_checked_in")  # remembered across the reload

    page.context.set_offline(False)
    page.wait_for_selector('#queue-status[data-queued="0"]', state="attached", timeout=20_000)
    deadline = time.monotonic() + 10
    while CheckIn.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    checked_in = CheckIn.objects.select_related("device")
    assert {c.ticket_id for c in checked_in} == {first.pk, second.pk, late.pk}
    assert all(c.offline and c.device.name == "Gate 3" for c in checked_in)


NO_ED25519 = """() => {
  const importKey = crypto.subtle.importKey.bind(crypto.subtle);
  crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
    algorithm?.name === "Ed25519"
      ? Promise.reject(new DOMException("no Ed25519 here", "NotSupportedError"))
      : importKey(format, key, algorithm, ...rest);
}"""


def test_offline_in_a_browser_without_ed25519_only_the_list_vouches_for_a_pass(browser, server):
    performance = make_performance()
    (listed,) = elsewhere(lambda: sell(performance))
    page = scanner(browser, f"{server}/checkin/#token={device(performance)}")
    page.wait_for_selector("#list-status:has-text('1')")
    (late,) = elsewhere(lambda: sell(performance, 1, first=3))
    page.evaluate(NO_ED25519)  # as in older browsers (Chrome before 137)
    page.context.set_offline(True)
    type_code(page, qr(listed), "admitted")
    type_code(page, qr(late), "ticket_not_found")  # genuine, but nothing here can tell


def test_a_device_link_opened_in_a_tab_that_shows_the_scanner_switches_to_its_token(
    browser, server
):
    first_show, second_show = make_performance(), make_performance()
    (ticket,) = elsewhere(lambda: sell(second_show))
    page = scanner(browser, f"{server}/checkin/#token={device(first_show, name='Gate 1')}")
    page.goto(f"{server}/checkin/#token={device(second_show, name='Gate 9')}")
    page.wait_for_url(lambda url: "#" not in url)
    page.wait_for_selector("body[data-ready=true] #scanner:not([hidden])")
    used = type_code(page, ticket.code, "admitted")
    assert used.get_attribute("data-offline") == "false"
    assert CheckIn.objects.get().device.name == "Gate 9"
