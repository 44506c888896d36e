"""An order's history: every change staff make to a paid order, recorded in the change's own
transaction (so a change that rolls back leaves no entry), with who made it and when."""

from django.utils.translation import gettext as _

from core.dbtime import db_now
from orders.models import DeskMethod, OrderChange, OrderEvent


def record_change(*, order_id: int, change: OrderChange, actor: str, **detail) -> OrderEvent:
    return OrderEvent.objects.create(
        order_id=order_id, at=db_now(), actor=actor, change=change, detail=detail
    )


def describe(event: OrderEvent) -> str:
    """The entry in the reader's language."""
    detail = event.detail
    if event.change == OrderChange.TICKET_MOVED:
        moved = _("Ticket %(old_code)s moved from %(from_seat)s to %(to_seat)s")
        return f"{moved % detail}; {_('new ticket %(new_code)s') % detail}"
    if event.change == OrderChange.TICKETS_CANCELLED:
        codes = ", ".join(detail["codes"])
        return _("Tickets %(codes)s cancelled; %(amount)s %(currency)s refunded") % {
            **detail,
            "codes": codes,
        }
    if event.change == OrderChange.CANCELLED:
        return _("Cancelled; %(amount)s %(currency)s refunded") % detail
    if event.change == OrderChange.SOLD_AT_DESK:
        return _("Sold at the box office desk: %(method)s, %(amount)s %(currency)s %(note)s") % {
            **detail,
            "method": DeskMethod(detail["method"]).label,
        }
    if event.change == OrderChange.LINKS_REVOKED:
        return _("Ticket links revoked: %(count)s") % detail
    return OrderChange(event.change).label
