"""GET /performances/{id}/seats?format=columns: the same seats as the default rows, packed by
column, gzipped once per version of the map, with its own ETag, Vary and 304."""

import gzip
import json

import pytest

from catalog import snapshots
from catalog.seat_map_columns import SCALE, decode
from catalog.services import block_seats
from tests.accessible import accessible_performance, seat_id
from tests.api.helpers import API, create_hold, paid_order

pytestmark = pytest.mark.django_db


def vary(response) -> list[str]:
    return [name.strip() for name in response["Vary"].split(",")]


def seats_url(performance, query=""):
    return f"{API}/performances/{performance.pk}/seats{query}"


@pytest.fixture
def hall(db):
    """Seats of every status and every flag: held, sold, blocked, wheelchair, companion,
    aisle, restricted view."""
    performance = accessible_performance()
    return performance


def test_columns_are_the_default_rows_packed(client, hall):
    create_hold(client, hall, [seat_id(hall, "A-1")])
    paid_order(client, hall, [seat_id(hall, "B-2")])
    block_seats(performance_id=hall.pk, seat_ids=[seat_id(hall, "B-8")])
    rows = client.get(seats_url(hall)).json()
    columns = client.get(seats_url(hall, "?format=columns")).json()
    decoded, areas = decode(columns)
    expected = [
        (*row[:4], round(row[4] * SCALE) / SCALE, round(row[5] * SCALE) / SCALE, *row[6:])
        for row in rows["seats"]
    ]
    assert decoded == expected and areas == rows["areas"]
    assert {row[7] for row in decoded} == {"available", "reserved", "sold", "blocked"}
    assert {row[9] for row in decoded} == {0, 1, 2, 4, 8}


def test_the_default_stays_rows_uncompressed_whatever_the_client_accepts(client, hall):
    response = client.get(seats_url(hall), HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in response
    assert response.json()["columns"][0] == "id"


def test_columns_are_gzipped_for_a_client_that_accepts_gzip(client, hall):
    response = client.get(seats_url(hall, "?format=columns"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in vary(response)
    assert response["Content-Type"] == "application/json"
    body = json.loads(gzip.decompress(response.content))
    assert body["format"] == "columns-1" and body["n"] == hall.seats.count()


@pytest.mark.parametrize("accept", ["", "identity", "br", "gzip;q=0", "*;q=0"])
def test_columns_are_plain_for_a_client_that_does_not_accept_gzip(client, hall, accept):
    response = client.get(seats_url(hall, "?format=columns"), HTTP_ACCEPT_ENCODING=accept)
    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in vary(response)
    assert response.json()["format"] == "columns-1"


def test_each_representation_and_encoding_has_its_own_etag_and_answers_304(client, hall):
    urls = [
        (seats_url(hall), "gzip"),
        (seats_url(hall, "?format=columns"), "identity"),
        (seats_url(hall, "?format=columns"), "gzip"),
    ]
    etags = []
    for url, accept in urls:
        first = client.get(url, HTTP_ACCEPT_ENCODING=accept)
        etags.append(first["ETag"])
        again = client.get(url, HTTP_ACCEPT_ENCODING=accept, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == first["ETag"]
    assert len(set(etags)) == 3
    # Another representation's ETag is not this one's: the whole body comes.
    other = client.get(urls[2][0], HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etags[1])
    assert other.status_code == 200


def test_a_change_of_seat_gives_the_columns_a_new_etag(client, hall):
    url = seats_url(hall, "?format=columns")
    etag = client.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    create_hold(client, hall, [seat_id(hall, "A-1")])
    changed = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    statuses = decode(json.loads(gzip.decompress(changed.content)))[0]
    assert [row[7] for row in statuses].count("reserved") == 1


def test_the_columns_are_compressed_once_per_version_of_the_map(client, hall, monkeypatch):
    snapshots.forget_local_copies()  # an earlier test may have served this very map
    calls = []
    compress = snapshots.compress
    monkeypatch.setattr(snapshots, "compress", lambda body: calls.append(1) or compress(body))
    url = seats_url(hall, "?format=columns")
    bodies = {client.get(url, HTTP_ACCEPT_ENCODING="gzip").content for _ in range(5)}
    assert len(calls) == 1 and len(bodies) == 1
    client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH='"x"')
    assert len(calls) == 1
    create_hold(client, hall, [seat_id(hall, "A-1")])  # a new version of the map
    for _ in range(3):
        client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert len(calls) == 2


def test_a_304_encodes_nothing(client, hall, monkeypatch):
    url = seats_url(hall, "?format=columns")
    etag = client.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    from django.core.cache import cache

    cache.clear()  # the encoded body is gone; the rows' snapshot is made again
    monkeypatch.setattr(snapshots, "compress", lambda body: pytest.fail("compressed for a 304"))
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_unknown_format_is_422(client, hall):
    assert client.get(seats_url(hall, "?format=csv")).status_code == 422


def test_the_openapi_schema_offers_the_columns_format(client, db):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/performances/{performance_id}/seats"]["get"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "format"]
    assert parameter["schema"]["enum"] == ["rows", "columns"]
    assert "SeatMapColumnsOut" in json.dumps(operation["responses"]["200"])


def test_a_process_serves_the_columns_it_encoded_without_asking_the_cache(
    client, hall, settings, monkeypatch
):
    settings.SANDALI_SNAPSHOT_SECONDS = 60
    url = seats_url(hall, "?format=columns")
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip").content
    keys_read = []
    get = snapshots.cache.get

    def spied_get(key, *args):
        keys_read.append(key)
        return get(key, *args)

    monkeypatch.setattr(snapshots.cache, "get", spied_get)
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip").content

    assert again == first
    assert not [key for key in keys_read if key.startswith("seat-map-body:")]
