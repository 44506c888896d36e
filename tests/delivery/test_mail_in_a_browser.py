"""The confirmation's HTML as a mail program shows it (Chromium): Persian right to left, the
link to the tickets there to tap. SANDALI_SCREENSHOTS=1 saves the README's pictures."""

import os
import shutil
from pathlib import Path

import pytest

from orders.models import MailKind
from tests.delivery.test_mail import buy, composed, parts
from tests.factories import make_performance

pytestmark = pytest.mark.django_db
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_confirmation_reads_in_its_direction_with_the_link_to_tap(language, settings):
    if not shutil.which(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    settings.SANDALI_PUBLIC_URL = "https://tickets.example.org"
    order = buy(make_performance(), language)
    _, html = parts(composed(order, MailKind.CONFIRMATION))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 600, "height": 800})
        page.set_content(html)
        direction = page.evaluate("getComputedStyle(document.body).direction")
        link = page.locator('a[href^="https://tickets.example.org/orders/open#"]')
        assert direction == ("rtl" if language == "fa" else "ltr")
        assert link.count() == 1 and link.is_visible()
        if os.environ.get("SANDALI_SCREENSHOTS") == "1":
            page.screenshot(path=str(SCREENSHOTS / f"mail-{language}.png"), full_page=True)
        browser.close()
