"""The panel around the seat map in headless Chromium, at desktop and phone size, in English
and Persian: best available from the page (the hold, the basket and its total, and where the
map is told to look), its refusal as a toast, "release all", the filters' events, the
checkout's field types, and a ticket type's colour on two performances of one event.

The map is told things through document events (README, "The buyer's pages"); the tests
record those the panel dispatches with a script that runs before the page's own."""

import re

import pytest

from catalog.models import Seat
from reservations.models import Hold
from tests.accessible import accessible_performance, seat_id
from tests.factories import make_performance, seat_ids
from tests.web.test_browser import browser, save, seat, server  # noqa: F401
from tests.web.test_panel import second_performance_pricing_only

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_EVENTS = """
window.sandaliEvents = [];
for (const name of ["sandali:show-seats", "sandali:filter"]) {
  document.addEventListener(name, (event) => window.sandaliEvents.push([name, event.detail]));
}
"""


def open_panel(browser, url: str, language: str = "en", phone: bool = False):  # noqa: F811
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(
        viewport=size, locale=language, extra_http_headers={"Accept-Language": language}
    )
    context.add_init_script(RECORD_EVENTS)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    return page


def events(page, name: str) -> list:
    return [detail for event, detail in page.evaluate("window.sandaliEvents") if event == name]


def basket_has(page, count: int) -> None:
    """Waits with locators: the page's CSP forbids the eval that wait_for_function needs."""
    page.locator("#basket-seats li").nth(count - 1).wait_for(state="attached")
    assert page.locator("#basket-seats li").count() == count


def find_seats(page, quantity: int, max_price: str = "", accessible: bool = False) -> None:
    page.fill("#best-quantity", str(quantity))
    page.select_option("#best-price", max_price)
    if accessible:
        page.check("#best-available input[name=accessible]")
    page.click("#best-available [type=submit]")


@pytest.mark.parametrize(
    ("language", "phone", "total"), [("en", False, "40 EUR"), ("fa", True, "۴۰ EUR")]
)
def test_four_seats_together_up_to_a_price_from_the_page(browser, server, language, phone, total):  # noqa: F811
    performance = make_performance(sections=1, rows=3, seats_per_row=8)
    url = f"{server}/performances/{performance.pk}/"
    page = open_panel(browser, url, language=language, phone=phone)
    find_seats(page, 4, max_price="10.00")
    basket_has(page, 4)
    hold = Hold.objects.get()
    held = Seat.objects.filter(hold=hold, status="reserved").order_by("number")
    assert {s.row for s in held} == {"B"}, "row A is 20.00, above the ceiling"
    numbers = [s.number for s in held]
    assert numbers == list(range(numbers[0], numbers[0] + 4)), "side by side"
    ids = sorted(s.id for s in held)
    assert events(page, "sandali:show-seats") == [{"ids": ids}]
    for seat_of in ids:
        page.wait_for_selector(f'[data-seat-id="{seat_of}"].seat--mine')
    assert page.inner_text("#basket-total") == total
    assert page.locator("#basket").is_visible()
    result = page.inner_text("#best-result")
    if language == "en":
        names = ", ".join(str(n) for n in numbers)
        assert result == f"4 seats held for you: Section 1, row B, seats {names}"
    else:
        assert result.startswith("۴ صندلی") and "ردیف B" in result
    save(page, f"best-available-{language}{'-phone' if phone else ''}.png")


def test_best_available_adds_to_the_seats_chosen_on_the_map(browser, server):  # noqa: F811
    performance = make_performance(sections=1, rows=3, seats_per_row=8)
    first = seat_ids(performance)[0]
    page = open_panel(browser, f"{server}/performances/{performance.pk}/")
    seat(page, first).click()
    page.wait_for_selector(f'[data-seat-id="{first}"].seat--mine')
    find_seats(page, 2)
    basket_has(page, 3)
    assert Hold.objects.count() == 1
    assert Seat.objects.filter(hold=Hold.objects.get(), status="reserved").count() == 3
    assert page.inner_text("#basket-total") == "60 EUR"


def test_too_few_seats_at_the_price_is_a_persian_toast_that_holds_nothing(browser, server):  # noqa: F811
    performance = make_performance(sections=1, rows=2, seats_per_row=5)
    page = open_panel(browser, f"{server}/performances/{performance.pk}/", language="fa")
    find_seats(page, 6, max_price="10.00")
    toast = page.locator(".toast").last
    toast.wait_for()
    assert "کمتر از ۶ صندلی" in toast.inner_text() and "۱۰" in toast.inner_text()
    assert events(page, "sandali:show-seats") == []
    assert not Hold.objects.exists()
    assert page.locator("#basket").is_hidden()


def test_release_all_gives_everything_back_in_one_request(browser, server):  # noqa: F811
    performance = make_performance(sections=1, rows=2, seats_per_row=8)
    ids = seat_ids(performance)[:3]
    page = open_panel(browser, f"{server}/performances/{performance.pk}/")
    for chosen in ids:
        seat(page, chosen).click()
        page.wait_for_selector(f'[data-seat-id="{chosen}"].seat--mine')
    assert page.inner_text("#basket-total") == "60 EUR"
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.click("#release-all")
    page.wait_for_selector("#basket", state="hidden")
    page.locator(".toast").last.wait_for()
    assert page.inner_text("#toasts") == "Everything is given back.", "no hold read as expired"
    assert [m for m, url in requests if "/selection" in url] == ["DELETE"]
    assert page.locator("[data-seat-id].seat--mine").count() == 0
    assert set(Seat.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"available"}


def test_the_filters_tell_the_map_what_to_dim(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_panel(browser, f"{server}/performances/{performance.pk}/", phone=True)
    assert page.locator("#filter-note").is_hidden()
    page.select_option("#filter-price", "20.00")
    page.click("#access-filter")
    assert page.get_attribute("#access-filter", "aria-pressed") == "true"
    assert events(page, "sandali:filter") == [
        {"maxPrice": "20.00", "accessibleOnly": False},
        {"maxPrice": "20.00", "accessibleOnly": True},
    ]
    assert page.locator("#filter-note").is_visible() and page.locator("#key-dimmed").is_visible()
    page.select_option("#filter-price", "")
    page.click("#access-filter")
    assert events(page, "sandali:filter")[-1] == {"maxPrice": None, "accessibleOnly": False}
    assert page.locator("#filter-note").is_hidden()


def test_a_wheelchair_space_with_its_companion_from_the_page(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_panel(browser, f"{server}/performances/{performance.pk}/")
    find_seats(page, 2, accessible=True)
    basket_has(page, 2)
    space = seat_id(performance, "A-3")
    held = set(Seat.objects.filter(status="reserved").values_list("id", flat=True))
    assert space in held and len(held & {seat_id(performance, p) for p in ("A-2", "A-4")}) == 1
    assert "wheelchair space" in page.inner_text("#basket-seats")


def test_a_hall_without_wheelchair_spaces_offers_neither_choice_nor_filter(browser, server):  # noqa: F811
    performance = make_performance()
    page = open_panel(browser, f"{server}/performances/{performance.pk}/")
    assert page.locator("#best-available input[name=accessible]").count() == 0
    assert page.locator("#access-filter").count() == 0


def test_the_checkout_fields_are_an_email_a_phone_number_and_a_name(browser, server):  # noqa: F811
    performance = make_performance()
    page = open_panel(browser, f"{server}/performances/{performance.pk}/", phone=True)
    find_seats(page, 1)
    page.wait_for_selector("#basket:not([hidden])")
    page.click("#to-checkout")
    fields = {
        name: page.locator(f"input[name={name}]").evaluate(
            "el => [el.type, el.autocomplete, el.inputMode]"
        )
        for name in ("name", "email", "phone")
    }
    assert fields == {
        "name": ["text", "name", ""],
        "email": ["email", "email", ""],
        "phone": ["tel", "tel", "tel"],
    }


def test_a_ticket_type_has_one_colour_and_shape_on_every_performance(browser, server):  # noqa: F811
    from catalog.models import TicketType

    performance = make_performance()
    student = TicketType.objects.get(event=performance.event, name="Student")
    other = second_performance_pricing_only(performance, student)

    def swatch(of):
        page = open_panel(browser, f"{server}/performances/{of.pk}/")
        return page.locator(f'.swatch[data-ticket-type="{student.pk}"]').first.evaluate(
            "el => [getComputedStyle(el).backgroundColor, el.dataset.shape]"
        )

    here, there = swatch(performance), swatch(other)
    assert here == there and re.match(r"rgb\(", here[0]) and here[1] == "square"
