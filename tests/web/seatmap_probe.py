"""The buyer's seat map from a browser test. Seats are drawn on a canvas, not elements: the map
element carries a small read-only probe (`document.getElementById("seat-map").probe`, see the
README's "The buyer's seat map") that says where a seat is on screen and what the map shows for
it. Clicks go to the seat's real screen point, so the map's hit testing is exercised; a seat
not on screen is brought there as a buyer would: a tap on its section in the overview, then a
drag of the map."""

import time

PROBE = "document.getElementById('seat-map').probe"


def probe(page, call: str, arg=None):
    """The probe's answer: `call` is an expression on the probe, e.g. "statusOf(arg)"."""
    return page.evaluate(f"(arg) => {PROBE}.{call}", arg)


def status_of(page, seat_id: int) -> str:
    return probe(page, "statusOf(arg)", seat_id)


def label_of(page, seat_id: int) -> str:
    return probe(page, "labelOf(arg)", seat_id)


def seats_drawn(page) -> int:
    return probe(page, "seatsDrawn")


def wait_for_status(page, seat_id: int, status: str, timeout: float = 5.0) -> None:
    """Until the map shows the seat in this status ("mine", "available", "reserved", "sold")."""
    deadline = time.monotonic() + timeout
    while (now := status_of(page, seat_id)) != status:
        assert time.monotonic() < deadline, f"seat {seat_id} is {now}, not {status}"
        time.sleep(0.03)


def bring_into_view(page, seat_id: int) -> dict:
    """The seat's client point once it is drawn and on screen, moving the map as a buyer would."""
    page.locator("#seat-map").scroll_into_view_if_needed()
    for _ in range(8):
        point = probe(page, "pointOf(arg)", seat_id)
        if point:
            return point
        if not probe(page, "seatsShown"):
            section = probe(page, "sectionPoint(arg)", probe(page, "sectionOf(arg)", seat_id))
            page.mouse.click(section["x"], section["y"])
        else:
            box = page.locator("#seat-map").bounding_box()
            seat = probe(page, "screenOf(arg)", seat_id)
            middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.move(*middle)
            page.mouse.down()
            page.mouse.move(
                middle[0] - (seat["x"] - middle[0]), middle[1] - (seat["y"] - middle[1]), steps=4
            )
            page.mouse.up()
        page.wait_for_timeout(350)  # the zoom's glide
    raise AssertionError(f"seat {seat_id} could not be brought into view")


def click_seat(page, seat_id: int) -> None:
    """A mouse click at the seat's point on screen: holds it, or gives it back."""
    point = bring_into_view(page, seat_id)
    page.mouse.click(point["x"], point["y"])


def hold_and_fill_checkout(page, seat_ids: list[int]) -> None:
    """Hold these seats by clicking them, go to checkout and fill in the buyer (not sent)."""
    for seat_id in seat_ids:
        click_seat(page, seat_id)
        wait_for_status(page, seat_id, "mine")
    page.click("#to-checkout")
    page.fill("input[name=name]", "Ava Buyer")
    page.fill("input[name=email]", "ava@example.org")
