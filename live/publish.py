"""The one place that tells watchers about seat changes (DESIGN.md principle 6).

Services call `publish_seat_changes` inside their transaction, after their UPDATE: it reads the
seats' new status and version there, and sends them once the transaction commits, as one
message per performance: {"seats": [[id, status, version], ...]}. Nothing is sent for a
transaction that rolls back.
"""

from collections import defaultdict
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from ops.metrics import SEAT_CHANGES


def performance_group(performance_id: int) -> str:
    return f"performance-{performance_id}"


def publish_seat_changes(
    seat_ids: Iterable[int], *, reason: str
) -> list[tuple[int, int, str, int]]:
    """Returns the (performance_id, seat_id, status, version) rows it will send. `reason`
    (held, sold, released, expired, ...) labels the seat-change metric."""
    from catalog.models import Seat

    ids = list(seat_ids)
    if not ids:
        return []
    rows = list(
        Seat.objects.filter(id__in=ids)
        .order_by("id")
        .values_list("performance_id", "id", "status", "version")
    )
    changes: dict[int, list] = defaultdict(list)
    for performance_id, seat_id, status, version in rows:
        changes[performance_id].append([seat_id, status, version])
    transaction.on_commit(lambda: send_seat_changes(changes))
    transaction.on_commit(lambda: SEAT_CHANGES.labels(reason).inc(len(rows)))
    return rows


def send_seat_changes(changes: dict[int, list]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for performance_id, seats in changes.items():
        send(performance_group(performance_id), {"type": "seats.changed", "seats": seats})
