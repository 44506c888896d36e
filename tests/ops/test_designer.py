"""The designer's page and endpoints: staff only, CSRF-checked, a document saved whole or
refused with its problems located, rows laid out by the server."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from catalog.layout_geometry import RowSpec
from catalog.layouts import SectionSpec, replace_layout
from catalog.models import Event, LayoutSeat, TicketType, VenueLayout

pytestmark = pytest.mark.django_db


@pytest.fixture
def layout():
    event = Event.objects.create(name="Opera", venue="Grand hall")
    normal = TicketType.objects.create(event=event, name="Normal")
    layout = VenueLayout.objects.create(event=event, name="Full hall")
    replace_layout(
        layout=layout,
        sections=[
            SectionSpec(
                name="Stalls", prices={normal.pk: Decimal("30")}, rows=[RowSpec("A", 4, normal.pk)]
            )
        ],
    )
    return layout


@pytest.fixture
def staff():
    user = User.objects.create_user("organizer", password="x-pass-1234", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("designer", kwargs={"layout_id": 1}))  # any page: sets the CSRF cookie
    return client


def urls(layout):
    here = {"layout_id": layout.pk}
    return {
        "page": reverse("designer", kwargs=here),
        "document": reverse("designer-document", kwargs=here),
        "rows": reverse("designer-rows", kwargs=here),
    }


def post_json(client, url, body, *, csrf=True):
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value} if csrf else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def document_of(client, layout):
    return client.get(urls(layout)["document"]).json()


def test_the_page_and_the_document_are_for_staff_only(layout):
    buyer = Client()
    buyer.force_login(User.objects.create_user("buyer", password="x-pass-1234"))
    for client in (Client(), buyer):
        for url in urls(layout).values():
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        refused = client.post(urls(layout)["document"], "{}", content_type="application/json")
        assert refused.status_code in (302, 403)
    assert LayoutSeat.objects.count() == 4


def test_staff_open_the_page_in_persian_right_to_left(layout, staff):
    page = staff.get(urls(layout)["page"], headers={"Accept-Language": "fa"})
    assert page.status_code == 200
    assert b'dir="rtl"' in page.content and "طراح".encode() in page.content
    assert page["Content-Security-Policy"]  # the page runs under the site's CSP
    # The standing areas' words too, in the page and in what designer.js writes.
    assert "افزودن جایگاه ایستاده".encode() in page.content
    config = page.content.decode().split('id="designer-config" type="application/json">')[1]
    messages = json.loads(config.split("</script>")[0])["messages"]
    assert messages["area_places"] == "ایستاده · %(capacity)s جا"


def test_a_save_without_the_csrf_token_is_refused(layout, staff):
    document = document_of(staff, layout)
    document["sections"][0]["seats"] = document["sections"][0]["seats"][:1]
    assert post_json(staff, urls(layout)["document"], document, csrf=False).status_code == 403
    assert LayoutSeat.objects.count() == 4


def test_staff_save_a_document_with_a_row_the_server_laid_out(layout, staff):
    document = document_of(staff, layout)
    normal = document["ticket_types"][0]["id"]
    spec = {"label": "B", "seats": 5, "y": 2, "ticket_type": normal, "numbering": "odd_even"}
    row = post_json(staff, urls(layout)["rows"], spec)
    assert row.status_code == 200
    assert [seat["number"] for seat in row.json()["seats"]] == [5, 3, 1, 2, 4]
    document["sections"][0]["seats"] += row.json()["seats"]
    saved = post_json(staff, urls(layout)["document"], document)
    assert (saved.status_code, saved.json()["seats"]) == (200, 9)
    assert LayoutSeat.objects.filter(row="B").count() == 5


def test_a_layout_that_cannot_be_sold_is_answered_422_with_its_problems_located(layout, staff):
    document = document_of(staff, layout)
    document["sections"][0]["seats"][2]["ticket_type"] = None
    refused = post_json(staff, urls(layout)["document"], document)
    body = refused.json()
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    assert body["code"] == "layout_refused"
    assert [(p["code"], p["section"], p["row"], p["number"]) for p in body["problems"]] == [
        ("seat_without_ticket_type", "Stalls", "A", 3)
    ]
    assert LayoutSeat.objects.filter(ticket_type__isnull=False).count() == 4


def test_a_malformed_document_is_answered_422_with_where_it_is_wrong(layout, staff):
    document = document_of(staff, layout)
    document["sections"][0]["seats"][1]["y"] = "down"
    body = post_json(staff, urls(layout)["document"], document).json()
    assert (body["code"], body["where"], body["section_index"], body["seat_index"]) == (
        "layout_document_invalid",
        "sections[0].seats[1].y",
        0,
        1,
    )
    not_json = staff.post(
        urls(layout)["document"],
        "{",
        content_type="application/json",
        headers={"X-CSRFToken": staff.cookies["csrftoken"].value},
    )
    assert not_json.status_code == 422 and not_json.json()["where"] == "document"


def test_a_row_spec_that_cannot_be_laid_out_is_answered_422(layout, staff):
    bad = post_json(staff, urls(layout)["rows"], {"label": "C", "seats": 3, "spacing": 0})
    assert bad.status_code == 422 and bad.json()["problems"][0]["code"] == "row_spec_invalid"


def test_the_layout_admin_links_to_the_designer(layout, admin_client):
    url = urls(layout)["page"]
    listing = admin_client.get(reverse("admin:catalog_venuelayout_changelist"))
    change = admin_client.get(reverse("admin:catalog_venuelayout_change", args=[layout.pk]))
    assert url in listing.content.decode() and url in change.content.decode()


def test_a_hall_far_above_the_apis_body_limit_is_saved(layout, staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    document = document_of(staff, layout)
    normal = document["ticket_types"][0]["id"]
    for r in range(1, 41):
        spec = {"label": f"R{r}", "seats": 50, "y": 2 + r * 1.5, "ticket_type": normal}
        document["sections"][0]["seats"] += post_json(staff, urls(layout)["rows"], spec).json()[
            "seats"
        ]
    assert len(json.dumps(document)) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    saved = post_json(staff, urls(layout)["document"], document)
    assert (saved.status_code, saved.json()["seats"]) == (200, 2004)


def test_a_document_above_the_designers_own_limit_is_refused_413(layout, staff, settings):
    settings.SANDALI_MAX_LAYOUT_BYTES = 1000
    document = document_of(staff, layout)
    document["sections"][0]["name"] = "x" * 2000
    refused = post_json(staff, urls(layout)["document"], document)
    assert refused.status_code == 413 and refused.json()["code"] == "layout_document_too_large"
    assert LayoutSeat.objects.count() == 4


def test_a_save_over_somebody_elses_later_save_is_refused_409(layout, staff):
    mine = document_of(staff, layout)
    theirs = document_of(staff, layout)
    theirs["sections"][0]["seats"] = theirs["sections"][0]["seats"][:2]
    first = post_json(staff, urls(layout)["document"], theirs)
    assert first.json() == {"seats": 2, "revision": mine["revision"] + 1}
    mine["sections"][0]["seats"][0]["blocked"] = True
    refused = post_json(staff, urls(layout)["document"], mine)
    assert refused.status_code == 409 and refused.json()["code"] == "layout_changed_elsewhere"
    assert LayoutSeat.objects.count() == 2 and not LayoutSeat.objects.filter(blocked=True).exists()
    mine["revision"] = first.json()["revision"]  # read again: saved
    assert post_json(staff, urls(layout)["document"], mine).status_code == 200


def test_the_designer_links_to_the_layouts_plan_files(layout, admin_client):
    page = admin_client.get(urls(layout)["page"]).content.decode()
    for name in ("export_pretix", "export_csv", "import_plan"):
        assert reverse(f"admin:catalog_venuelayout_{name}", args=[layout.pk]) in page
    exported = admin_client.get(reverse("admin:catalog_venuelayout_export_csv", args=[layout.pk]))
    assert exported.status_code == 200 and exported.content.startswith(b"section,row,number")
