"""A layout's seating plan in the admin: downloaded as pretix JSON or CSV from named URLs that
take the layout's id, and uploaded to replace its seats, all or nothing, errors located."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.seating_csv import write_csv
from tests.catalog.plan_helpers import database_state, prices_of, seats_of, shapes_of

pytestmark = pytest.mark.django_db


def url(name: str, layout) -> str:
    return reverse(f"admin:catalog_venuelayout_{name}", args=[layout.pk])


def test_the_layout_page_links_to_the_exports_and_the_import(admin_client, full_hall):
    page = admin_client.get(reverse("admin:catalog_venuelayout_change", args=[full_hall.pk]))
    for name in ("export_pretix", "export_csv", "import_plan"):
        assert url(name, full_hall) in page.content.decode()


def test_the_exports_download_as_files(admin_client, full_hall):
    pretix = admin_client.get(url("export_pretix", full_hall))
    assert pretix["Content-Type"] == "application/json; charset=utf-8"
    assert 'filename="Grand hall, full.json"' in pretix["Content-Disposition"]
    plan = json.loads(pretix.content)
    assert [zone["name"] for zone in plan["zones"]][:2] == ["Stalls", "Balcony"]
    csv = admin_client.get(url("export_csv", full_hall))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content.decode() == write_csv(full_hall)


def upload(client, layout, name: str, content: bytes, prices: str = ""):
    file = SimpleUploadedFile(name, content)
    return client.post(url("import_plan", layout), {"file": file, "prices": prices})


def test_an_uploaded_export_replaces_the_seats_with_the_same_ones(admin_client, full_hall):
    assert admin_client.get(url("import_plan", full_hall)).status_code == 200
    before = (seats_of(full_hall), prices_of(full_hall), shapes_of(full_hall))
    exported = admin_client.get(url("export_csv", full_hall)).content
    answer = upload(admin_client, full_hall, "hall.csv", exported)
    assert answer.status_code == 302
    assert (seats_of(full_hall), prices_of(full_hall), shapes_of(full_hall)) == before
    smaller = b"section,row,number,x,y,ticket_type,attributes\nBox,A,1,0,20,Student,wheelchair\n"
    upload(admin_client, full_hall, "box.csv", smaller, prices="Student=12")
    assert seats_of(full_hall) == {("Box", "A", 1): (0.0, 20.0, "Student", False, ["wheelchair"])}


def test_a_broken_upload_shows_where_and_changes_nothing(admin_client, full_hall):
    before = database_state()
    header = b"section,row,number,x,y,ticket_type,attributes\n"
    bad = header + b"Stalls,A,1,0,0,Normal,\nStalls,A,x,1,0,Normal,\n"
    answer = upload(admin_client, full_hall, "bad.csv", bad)
    assert answer.status_code == 200
    assert "line 3: the seat number &quot;x&quot; is not a whole number" in answer.content.decode()
    overlapping = (
        b"section,row,number,x,y,ticket_type,attributes\nS,A,1,0,0,Normal,\nS,A,2,0.5,0,Normal,\n"
    )
    answer = upload(admin_client, full_hall, "overlap.csv", overlapping, prices="Normal=5")
    assert "Seat A-2 of section S overlaps seat A-1 of section S." in answer.content.decode()
    answer = upload(admin_client, full_hall, "good.csv", header + b"S,A,1,0,0,Normal,\n", "VIP=3")
    shown = answer.content.decode()
    assert "Prices &quot;VIP=3&quot;: &quot;VIP&quot; names no ticket type" in shown
    assert database_state() == before
