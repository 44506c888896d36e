"""Publishing in the admin, in headless Chromium: the organizer sees the draft's times in the
event's zone (named, with no "hours behind" note), chooses the publish action, confirms it,
and the buyer's page, a 404 until then, shows the performance."""

import pytest
from django.contrib.auth.models import User

from catalog.models import Event, Performance
from tests.factories import make_performance
from tests.ops.screenshots import save_admin_page
from tests.web import test_browser as buyer_pages

browser = buyer_pages.browser  # the buyer's tests' Chromium and server, as fixtures here
server = buyer_pages.server

pytestmark = pytest.mark.django_db(transaction=True)


def staff_page(browser, server, path):
    User.objects.create_superuser("organizer", password="x-pass-1234")
    # The organizer's browser is in Tehran; the event is in New York.
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="en", timezone_id="Asia/Tehran"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/admin/login/?next={path}")
    page.fill("input[name=username]", "organizer")
    page.fill("input[name=password]", "x-pass-1234")
    page.click("input[type=submit]")
    return page, errors


def test_an_organizer_publishes_a_draft_after_confirming(browser, server):
    performance = make_performance(published=False)
    Event.objects.filter(pk=performance.event_id).update(time_zone="America/New_York")
    buyer = browser.new_page()
    assert buyer.goto(f"{server}/performances/{performance.pk}/").status == 404

    page, errors = staff_page(
        browser, server, f"/admin/catalog/performance/{performance.pk}/change/"
    )
    page.wait_for_selector("#id_starts_at_0")
    form = page.locator("#performance_form").inner_text()
    assert "In the event's time zone: America/New_York" in form
    # Django adds its note comparing the browser's clock with the zone shown; it is hidden.
    page.wait_for_selector(".timezonewarning", state="attached")
    assert not page.locator(".timezonewarning").first.is_visible()

    page.goto(f"{server}/admin/catalog/performance/")
    page.locator("#result_list tr", has_text="Draft").locator("input.action-select").check()
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    page.wait_for_selector("text=Yes, publish")
    assert "America/New_York" in page.locator("#content-main").inner_text()
    save_admin_page(page, "publish-en.png")
    performance.refresh_from_db()
    assert performance.published_at is None, "nothing is published before the confirmation"

    page.click("input[type=submit][value='Yes, publish']")
    page.wait_for_selector(".messagelist .success")
    assert "is published" in page.locator(".messagelist").inner_text()
    assert Performance.objects.get(pk=performance.pk).published_at is not None
    assert errors == []

    buyer.goto(f"{server}/performances/{performance.pk}/")
    buyer.wait_for_selector("body[data-ready=true]", timeout=10_000)
