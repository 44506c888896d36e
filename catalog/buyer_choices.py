"""What the buyer's page offers to choose and filter by, read for the page around the seat
map (web/views.py): each ticket type's style, and whether the hall has wheelchair spaces."""

from catalog.models import TicketType
from catalog.snapshots import seat_map


def ticket_type_styles(*, event_id: int) -> dict[int, int]:
    """Each ticket type of the event -> its index among the event's ticket types by id: the
    seat map draws ticket type `style` in PALETTE[style % n] and SHAPES[style % 3], so
    "Adult" keeps its colour and shape on every performance of the event, whichever ticket
    types a performance prices."""
    ids = TicketType.objects.filter(event_id=event_id).order_by("id").values_list("id", flat=True)
    return {ticket_type_id: index for index, ticket_type_id in enumerate(ids)}


def has_wheelchair_spaces(*, performance_id: int) -> bool:
    """Whether any seat of the performance is a wheelchair space (whatever its status): the
    page offers best available for wheelchair users and the wheelchair filter only then. Read
    from the seat map's snapshot, which the page's map reads a moment later anyway: no scan of
    the seats of its own (a test of a flag bit cannot use an index)."""
    _computed_at, snapshot = seat_map(performance_id=performance_id)
    return snapshot.wheelchair
