"""The audit finds every inconsistency planted with raw SQL despite the constraints."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from catalog.models import Seat, SectionTicketType
from ops.audit import audit
from orders.checkout import checkout
from reservations.services import hold_seats
from tests.factories import expire_hold, make_performance, seat_ids

pytestmark = pytest.mark.django_db


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def without_seat_checks() -> None:
    """Switch off the CHECK that ties a seat's status to its fields, for this test only."""
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks may block the ALTER
        sql("ALTER TABLE catalog_seat DROP CONSTRAINT seat_status_matches_fields")
    else:
        sql("PRAGMA ignore_check_constraints = 1")


@pytest.fixture
def sold(performance):
    held = hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[:2])
    result = checkout(
        hold_id=held.hold.pk, token=held.token, idempotency_key="k", name="A", email="a@x.org"
    )
    return result.order


@pytest.fixture
def held(performance):
    return hold_seats(performance_id=performance.pk, seat_ids=seat_ids(performance)[4:6])


@pytest.fixture(autouse=True)
def restore_sqlite_checks():
    yield
    if connection.vendor == "sqlite":
        sql("PRAGMA ignore_check_constraints = 0")


def findings() -> dict:
    return audit()["inconsistencies"]


def test_a_clean_inventory_has_no_inconsistencies(performance, sold, held):
    report = audit()
    assert report["inconsistency_count"] == 0
    assert report["totals_by_status"][performance.pk] == {"available": 16, "reserved": 2, "sold": 2}


def test_expired_holds_still_marked_reserved_are_counted_not_inconsistent(performance, held):
    expire_hold(held.hold)
    report = audit()
    assert report["expired_holds_marked_reserved"] == 2 and report["inconsistency_count"] == 0


def test_finds_an_available_seat_that_keeps_a_hold(performance, held):
    without_seat_checks()
    sql("UPDATE catalog_seat SET status = 'available' WHERE hold_id = %s", [held.hold.pk])
    assert findings()["seat_fields_do_not_match_status"]["count"] == 2


def test_finds_a_sold_seat_without_a_ticket(performance, sold):
    without_seat_checks()
    sql("UPDATE catalog_seat SET ticket_id = NULL WHERE status = 'sold'")
    assert "sold_seat_without_valid_ticket" in findings()


def test_finds_a_sold_seat_whose_ticket_was_voided(performance, sold):
    sql("UPDATE orders_ticket SET valid = %s WHERE order_id = %s", [False, sold.pk])
    assert findings()["sold_seat_without_valid_ticket"]["count"] == 2


def test_finds_a_valid_ticket_whose_seat_is_on_sale_again(performance, sold):
    sql(
        "UPDATE catalog_seat SET status = 'available', ticket_id = NULL WHERE ticket_id IN "
        "(SELECT id FROM orders_ticket WHERE order_id = %s)",
        [sold.pk],
    )
    assert findings()["valid_ticket_whose_seat_is_not_sold_to_it"]["count"] == 2


def test_finds_a_valid_ticket_of_a_cancelled_order(performance, sold):
    sql(
        "UPDATE orders_order SET status = 'cancelled', cancelled_at = created_at WHERE id = %s",
        [sold.pk],
    )
    found = findings()
    assert found["valid_ticket_of_cancelled_order"]["count"] == 2


def test_finds_a_seat_still_reserved_by_a_paid_hold(performance, sold, held):
    sql(
        "UPDATE catalog_seat SET hold_id = %s WHERE hold_id = %s",
        [sold.hold_id, held.hold.pk],
    )
    assert findings()["seat_reserved_by_paid_hold"]["count"] == 2


def test_finds_a_seat_whose_expiry_differs_from_its_hold(performance, held):
    later = held.hold.expires_at + timedelta(hours=1)
    sql("UPDATE catalog_seat SET hold_expires_at = %s WHERE hold_id = %s", [later, held.hold.pk])
    assert findings()["seat_expiry_differs_from_hold"]["count"] == 2


def test_finds_seats_tied_to_another_performance_or_event(performance, held):
    other = make_performance()
    seat = seat_ids(performance)[0]
    sql(
        "UPDATE catalog_seat SET section_id = %s WHERE id = %s",
        [other.sections.first().pk, seat],
    )
    sql(
        "UPDATE catalog_seat SET performance_id = %s WHERE hold_id = %s",
        [other.pk, held.hold.pk],
    )
    found = findings()
    assert found["seat_section_of_other_performance"]["ids"][0] == seat
    assert found["seat_hold_of_other_performance"]["count"] == 2
    assert "seat_ticket_type_of_other_event" in found


def test_finds_a_held_back_seat_on_public_sale_or_of_another_performance(performance):
    seat, other_seat = seat_ids(performance)[:2]
    other = make_performance()
    sql(
        """INSERT INTO catalog_heldbackseat (seat_id, performance_id, channel, held_at, held_by)
           VALUES (%s, %s, 'sponsors', '2026-01-01', ''), (%s, %s, 'press', '2026-01-01', '')""",
        [seat, performance.pk, other_seat, other.pk],
    )
    sql("UPDATE catalog_seat SET status = 'blocked' WHERE id = %s", [other_seat])
    found = findings()
    assert found["held_back_seat_on_public_sale"]["ids"] == [seat]
    assert found["held_back_seat_of_other_performance"]["ids"] == [other_seat]


def test_finds_a_seat_without_a_price(performance):
    price = SectionTicketType.objects.filter(section__performance=performance).first()
    SectionTicketType.objects.filter(pk=price.pk).delete()
    assert findings()["seat_without_price"]["count"] == 5


def test_finds_an_order_whose_total_is_not_its_tickets(performance, sold):
    sql("UPDATE orders_order SET total = total + 1 WHERE id = %s", [sold.pk])
    assert findings()["order_total_differs_from_tickets"]["ids"] == [sold.pk]


def test_finds_an_order_whose_payment_is_missing_or_differs(performance, sold):
    sql("UPDATE orders_paymentattempt SET seat_count = 3 WHERE order_id = %s", [sold.pk])
    assert findings()["order_differs_from_its_payment"]["ids"] == [sold.pk]
    sql("UPDATE orders_paymentattempt SET order_id = NULL, status = 'voided'")
    assert findings()["order_differs_from_its_payment"]["ids"] == [sold.pk]


def test_finds_a_payment_left_pending_long_after_the_sweeper_should_have_settled_it(
    performance, held, settings
):
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 30
    sql(
        """INSERT INTO orders_paymentattempt (hold_id, idempotency_key, order_token_hash, name,
             email, phone, amount, currency, seat_count, status, tries, provider_reference,
             refund_reference, refund_reason, created_at, updated_at)
           VALUES (%s, 'k', '', 'A', 'a@x.org', '', 10, 'EUR', 1, 'pending', 1, '', '', '',
             %s, %s)""",
        [held.hold.pk, held.hold.created_at, held.hold.created_at],
    )
    assert "payment_left_unsettled" not in findings()  # the sweeper still has time
    sql(
        "UPDATE orders_paymentattempt SET updated_at = %s",
        [held.hold.created_at - timedelta(seconds=121)],
    )
    assert findings()["payment_left_unsettled"]["count"] == 1


def test_fix_mends_what_it_can_and_reports_the_rest(performance, sold, held):
    expire_hold(held.hold)
    sql("UPDATE orders_ticket SET valid = %s WHERE order_id = %s", [False, sold.pk])
    sql("UPDATE orders_order SET total = total + 1 WHERE id = %s", [sold.pk])
    report = audit(fix=True)
    assert report["fixed"]["expired_holds_released"] == 2
    assert report["fixed"]["sold_seat_without_valid_ticket"] == 2
    assert list(report["inconsistencies"]) == [
        "order_total_differs_from_tickets",
        "order_differs_from_its_payment",
    ]
    assert Seat.objects.filter(status="available").count() == 20


def test_the_command_exits_1_when_anything_is_inconsistent(performance, sold):
    call_command("audit_inventory", stdout=StringIO())
    sql("UPDATE orders_order SET total = total + 1 WHERE id = %s", [sold.pk])
    out = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("audit_inventory", "--json", stdout=out)
    assert exit.value.code == 1
    report = json.loads(out.getvalue())
    assert report["inconsistencies"]["order_total_differs_from_tickets"]["count"] == 1
