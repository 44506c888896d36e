"""seatmap-wire.js in Chromium reads the packed seat map into the same seats as the API's rows,
and the page fetches the packed, gzipped seat data."""

import json
import random
import struct
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalog.seat_map_columns import STATUS_LETTERS, encode
from catalog.services import block_seats
from reservations.services import hold_seats
from tests.accessible import accessible_performance, seat_id
from tests.web.test_browser import browser, open_page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in the page: the page's own module, fetched as the page fetches it.
READ = """async ([bodies]) => {
  const src = document.querySelector('script[type=module][src*="seatmap"]').src;
  const { readSeatMap } = await import(new URL("seatmap-wire.js", src));
  return bodies.map((body) => {
    const map = readSeatMap(body);
    const kinds = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.constructor.name]));
    const rows = Array.from({ length: map.n }, (_, i) => [
      map.id[i], map.section[i], map.row[i], map.number[i], map.x[i], map.y[i],
      map.ticketType[i], map.status[i], map.version[i], map.flags[i]]);
    return { rows, kinds, areas: map.areas };
  });
}"""
FETCH = """async (url) => {
  const response = await fetch(url);
  return { body: await response.json(), wireBytes: performance.getEntriesByName(
    new URL(url, location.href).href).at(-1)?.encodedBodySize };
}"""
INTS, FLOATS = "Int32Array", "Float32Array"
TYPED = {"id": INTS, "section": INTS, "row": "Array", "number": INTS, "x": FLOATS, "y": FLOATS,
         "ticketType": INTS, "status": "Array", "version": INTS, "flags": "Uint8Array",
         "n": "Number", "areas": "Array"}  # fmt: skip


def float32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def as_read_in_the_browser(rows, scale=100):
    """The rows as readSeatMap gives them: x and y rounded to 1/scale, stored as float32."""
    return [
        [*row[:4], float32(round(row[4] * scale) / scale), float32(round(row[5] * scale) / scale),
         *row[6:]]
        for row in rows
    ]  # fmt: skip


def random_map(rng: random.Random) -> list[tuple]:
    rows, seat = [], rng.randint(1, 10**6)
    for section in range(rng.randint(0, 4)):
        for _row in range(rng.randint(1, 6)):
            label = rng.choice(["A", "B", "AA", "ب", "12", ""])
            for number in range(1, rng.randint(1, 30)):
                seat += rng.choice([1, 1, 1, 2, 50])
                rows.append((
                    seat, section + 1, label, number * rng.choice([1, 1, 2]),
                    rng.uniform(-400, 400), rng.uniform(-400, 400), rng.randint(1, 5),
                    rng.choice(list(STATUS_LETTERS)), rng.choice([1, 1, 2, 97]),
                    rng.choice([0, 0, 0, 1, 2, 4, 8, 15]),
                ))  # fmt: skip
    return rows


def test_readseatmap_in_chromium_gives_back_the_rows_of_random_maps(browser, server):  # noqa: F811
    performance = accessible_performance()
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    rng = random.Random(16)
    maps = [random_map(rng) for _ in range(40)] + [[]]
    bodies = [json.loads(json.dumps(encode(rows, [{"id": 1}]))) for rows in maps]
    results = page.evaluate(READ, [bodies])
    for rows, result in zip(maps, results, strict=True):
        assert result["rows"] == as_read_in_the_browser(rows)
        assert result["areas"] == [{"id": 1}]
        assert result["kinds"] == TYPED


def test_the_page_reads_the_map_from_the_packed_gzipped_seats(browser, server):  # noqa: F811
    performance = accessible_performance()

    def hold_and_block():  # in a thread: Playwright keeps an event loop in this one
        hold_seats(performance_id=performance.pk, seat_ids=[seat_id(performance, "A-1")])
        block_seats(performance_id=performance.pk, seat_ids=[seat_id(performance, "B-8")])

    with ThreadPoolExecutor(1) as pool:
        pool.submit(hold_and_block).result()
    page = open_page(browser, f"{server}/performances/{performance.pk}/")
    base = f"/api/v1/performances/{performance.pk}/seats"
    # The page itself read the packed seats, not the rows (the map engine's own tests look at
    # what it drew from them).
    resources = page.evaluate("performance.getEntriesByType('resource').map((r) => r.name)")
    assert any(name.endswith(f"{base}?format=columns") for name in resources)
    assert not any(name.endswith(base) for name in resources)
    packed, rows = page.evaluate(FETCH, f"{base}?format=columns"), page.evaluate(FETCH, base)
    assert packed["wireBytes"] < rows["wireBytes"] / 2  # gzipped packed bytes on the wire
    read_packed, read_rows = page.evaluate(READ, [[packed["body"], rows["body"]]])
    assert read_packed["rows"] == read_rows["rows"] == as_read_in_the_browser(rows["body"]["seats"])
