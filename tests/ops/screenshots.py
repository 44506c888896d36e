"""Screenshots of admin pages for the README, taken by the tests' Chromium when
SANDALI_SCREENSHOTS=1 (tests/web/test_browser.py save): the page is narrowed first so that
each image stays about 1200 px wide."""

import os

from tests.web import test_browser as buyer_pages

WIDTH = 1200


def save_admin_page(page, name: str, *, width: int = WIDTH) -> None:
    if os.environ.get("SANDALI_SCREENSHOTS") != "1":
        return
    size = page.viewport_size or {"width": width, "height": 900}
    page.set_viewport_size({"width": width, "height": size["height"]})
    buyer_pages.save(page, name)
    page.set_viewport_size(size)
