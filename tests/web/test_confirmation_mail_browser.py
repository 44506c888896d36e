"""The confirmation mail, the whole way, in headless Chromium: a buyer pays in one browser,
the server's own worker writes the mail, and its link opens the tickets on another device.

In a module of its own: this test's server runs the task worker that must send the mail,
and a browser module's shared server (tests/web/test_browser.py `server`, alive until its
module ends) runs a worker too, on the same database, which could take the mail's task
first and send it to its console instead (it did, on CI)."""

import re
import time

import pytest

from tests.factories import make_performance, seat_ids
from tests.servers import sandali_server
from tests.web.seatmap_probe import hold_and_fill_checkout
from tests.web.test_browser import browser, open_page  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_confirmation_mail_arrives_and_its_link_opens_the_tickets_on_another_device(
    browser,  # noqa: F811
    tmp_path,
):
    """The whole way: a buyer pays in one browser; the server's own worker writes the mail
    (EMAIL_URL=file://); its link, opened in a second browser, shows the same tickets."""
    import email
    from email import policy

    performance = make_performance(sections=1, rows=1, seats_per_row=4)
    ids = seat_ids(performance)
    mail_dir = tmp_path / "mail"
    env = {"SANDALI_WORKER_IN_PROCESS": "1", "EMAIL_URL": f"file://{mail_dir}"}
    with sandali_server(**env) as base:
        page = open_page(browser, f"{base}/performances/{performance.pk}/")
        hold_and_fill_checkout(page, ids[:2])
        page.click("button[type=submit]")
        page.wait_for_selector(".ticket")
        codes = sorted(page.locator(".ticket .code").all_inner_texts())
        # The worker renders the tickets' PDF first: on 2 cores busy with the other test
        # pass (scripts/test runs both at once) that took over 15 s once.
        deadline = time.monotonic() + 60
        while not list(mail_dir.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        (eml,) = mail_dir.glob("*.eml")
        message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert message["To"].addresses[0].addr_spec == "ava@example.org"
        text = message.get_body(preferencelist=("plain",)).get_content()
        (link,) = re.findall(r"https?://\S+/orders/open#\S+", text)
        attachments = [part.get_filename() for part in message.iter_attachments()]
        assert attachments == [f"sandali-order-{page.url.rstrip('/').split('/')[-1]}.pdf"]

        phone = browser.new_context(viewport={"width": 390, "height": 844})
        other = phone.new_page()
        other.goto(base + link[link.index("/orders/open#") :])
        other.wait_for_selector(".ticket")
        assert "#" not in other.url and other.url == page.url
        assert sorted(other.locator(".ticket .code").all_inner_texts()) == codes
        phone.close()
        page.context.close()
