"""The box office's admin pages (ops/admin/box_office.py) through Django's test client: staff
with the desk's permission hold seats on the map, sell them, open the PDF and e-mail the
tickets; staff without it get 403; errors come back with their codes and messages."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from catalog.models import SeatStatus
from orders.models import DeskMethod, MailKind, Order, OrderChange
from reservations.services import hold_seats
from tests.factories import make_order, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def staff_client(client, *, desk: bool = True):
    user = User.objects.create_user("desk", password="x-pass-1234", is_staff=True)
    codenames = ["view_performance", *(["sell_at_desk"] if desk else [])]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def urls(performance) -> dict:
    page = reverse("admin:catalog_performance_box_office", args=[performance.pk])
    return {"page": page, "selection": f"{page}selection/", "seat": f"{page}selection/seats/"}


def choose(client, performance, seat_id):
    return client.post(f"{urls(performance)['seat']}{seat_id}/")


def test_staff_choose_seats_sell_for_cash_and_get_the_pdf_and_the_mail(client, performance):
    staff = staff_client(client)
    ids = seat_ids(performance)[:2]
    page = staff.get(urls(performance)["page"])
    assert page.status_code == 200 and b"seat-map-config" in page.content
    for seat_id in ids:
        answer = choose(staff, performance, seat_id)
        assert answer.status_code == 200, answer.content
    assert answer.json()["seats"] == ids and answer.json()["total"] == "40 EUR"
    sold = staff.post(
        urls(performance)["page"],
        {"method": "cash", "name": "", "email": "walkup@example.org", "phone": ""},
    )
    order = Order.objects.get(performance=performance)
    assert sold.status_code == 302 and sold["Location"].endswith(f"/sold/{order.pk}/")
    assert (order.desk_method, order.sold_by, order.total) == (DeskMethod.CASH, "desk", 40)
    assert order.history.get().change == OrderChange.SOLD_AT_DESK
    logged = LogEntry.objects.get(object_id=str(order.pk))
    assert (logged.user.username, logged.action_flag) == ("desk", ADDITION)
    summary = staff.get(sold["Location"])
    assert summary.status_code == 200
    for ticket in order.tickets.all():
        assert ticket.code.encode() in summary.content
    pdf = staff.get(f"{sold['Location']}tickets.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    mailed = staff.post(sold["Location"])
    assert mailed.status_code == 302
    assert order.mails.filter(kind=MailKind.RESEND).count() == 1
    # The sale closed the desk's hold: the next customer starts with nothing chosen.
    assert staff.get(urls(performance)["selection"]).json()["seats"] == []


def test_next_customer_gives_the_chosen_seats_back(client, performance):
    staff = staff_client(client)
    for seat_id in seat_ids(performance)[:3]:
        choose(staff, performance, seat_id)
    cleared = staff.delete(urls(performance)["selection"])
    assert cleared.json()["seats"] == []
    assert not performance.seats.exclude(status=SeatStatus.AVAILABLE).exists()


def test_a_seat_a_buyer_holds_is_refused_with_its_code(client, performance):
    staff = staff_client(client)
    seat_id = seat_ids(performance)[0]
    hold_seats(performance_id=performance.pk, seat_ids=[seat_id])
    answer = choose(staff, performance, seat_id)
    assert answer.status_code == 409 and answer.json()["code"] == "seats_unavailable"


def test_complimentary_without_a_reason_is_refused_on_the_page(client, performance):
    staff = staff_client(client)
    choose(staff, performance, seat_ids(performance)[0])
    page = staff.post(urls(performance)["page"], {"method": "comp", "reason": ""})
    assert page.status_code == 200
    assert b"Complimentary tickets need a reason." in page.content
    assert not Order.objects.exists()
    comp = staff.post(urls(performance)["page"], {"method": "comp", "reason": "sponsor guest"})
    assert comp.status_code == 302
    order = Order.objects.get()
    assert (order.total, order.desk_note) == (0, "sponsor guest")


def test_a_performance_not_on_sale_says_so(client):
    later = make_performance(sales_open=False)
    staff = staff_client(client)
    page = staff.get(urls(later)["page"])
    assert b'id="desk-not-on-sale"' in page.content
    answer = choose(staff, later, seat_ids(later)[0])
    assert answer.status_code == 409 and answer.json()["code"] == "desk_not_on_sale"


def test_persian_errors_are_translated(client, performance):
    staff = staff_client(client)
    choose(staff, performance, seat_ids(performance)[0])
    page = staff.post(
        urls(performance)["page"], {"method": "comp", "reason": ""}, HTTP_ACCEPT_LANGUAGE="fa"
    )
    assert "بلیت‌های مهمان".encode() in page.content


def test_staff_without_the_desk_permission_get_403(client, performance):
    staff = staff_client(client, desk=False)
    page = staff.get(urls(performance)["page"])
    assert page.status_code == 403 and b"You may not sell at the box office desk" in page.content
    assert staff.get(urls(performance)["selection"]).status_code == 403
    refused = choose(staff, performance, seat_ids(performance)[0])
    assert refused.status_code == 403 and refused.json()["code"] == "desk_not_allowed"
    persian = staff.get(urls(performance)["page"], HTTP_ACCEPT_LANGUAGE="fa")
    assert "اجازهٔ فروش در گیشه".encode() in persian.content
    assert not performance.seats.exclude(status=SeatStatus.AVAILABLE).exists()


def test_the_performances_page_and_its_sales_page_link_to_the_box_office(client, performance):
    staff = staff_client(client)
    User.objects.get(username="desk").user_permissions.add(
        Permission.objects.get(codename="view_order")
    )
    box_office = urls(performance)["page"].encode()
    change = reverse("admin:catalog_performance_change", args=[performance.pk])
    sales = reverse("admin:catalog_performance_sales", args=[performance.pk])
    assert box_office in staff.get(change).content
    assert box_office in staff.get(sales).content


def test_places_of_a_standing_area_are_added_and_given_back(client, performance):
    from tests.factories import make_standing_area

    area = make_standing_area(performance, capacity=5)
    staff = staff_client(client)
    assert f'data-area="{area.pk}"'.encode() in staff.get(urls(performance)["page"]).content
    url = f"{urls(performance)['selection']}areas/{area.pk}/"
    added = staff.post(url, {"quantity": 2}, content_type="application/json")
    assert added.status_code == 200 and len(added.json()["seats"]) == 2
    assert "(standing)" in added.json()["seat_details"][0]["label"]
    wrong = staff.post(url, {"quantity": "two"}, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["code"] == "unknown_area"
    assert staff.delete(url).json()["seats"] == []
    assert not area.seats.exclude(status=SeatStatus.AVAILABLE).exists()


def test_the_desks_pages_show_only_the_desks_own_orders(client, performance):
    """A clerk with the desk's permission may not read a buyer's online order (name, address,
    ticket codes, its PDF, a mail of its tickets) by trying order ids."""
    staff = staff_client(client)
    online = make_order(performance, seats=1).order
    sold = f"{urls(performance)['page']}sold/{online.pk}/"
    assert staff.get(sold).status_code == 404
    assert staff.get(f"{sold}tickets.pdf").status_code == 404
    assert staff.post(sold).status_code == 404
    assert not online.mails.filter(kind=MailKind.RESEND).exists()
