"""Taking places of standing areas for a hold, in its transaction (called by
reservations/services.py, which checks the limits and locks or makes the hold).

A place is a seat row of the area (catalog.models.PLACE_ROW); `quantity` places are taken by
the inventory's take_places, one UPDATE over the area's FREE places FOR UPDATE SKIP LOCKED, so
buyers of one area never queue behind each other. Areas are taken in id order, after the
request's seats.

Skipping locked places can leave a buyer short while another buyer holds their locks for a
moment and then rolls back (that buyer's request failed as a whole). So when the places taken
are too few, they are given back (a savepoint: their locks go with them) and the committed
count decides: fewer free places than asked for is a true 409 not_enough_places; otherwise
the area is taken again waiting for those locks, in number order, each for as long as one
other buyer's transaction lasts. A buyer waits holding no place of that area taken out of
order, waiting buyers lock in one order (areas by id, places by number), and a seat is never
waited for, so no two buyers can deadlock. A request that could be served is never refused
because of a buyer who gave up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from catalog import inventory
from catalog.errors import NotEnoughPlaces, UnknownArea
from catalog.inventory import TakenSeat
from catalog.selectors import free_places, standing_area_names
from core.sql import is_id
from reservations.selectors import OwnedHold


@dataclass(frozen=True)
class AreaQuantity:
    """How many places of one standing area a buyer asks for."""

    area_id: int
    quantity: int


def places_asked(areas: Sequence[AreaQuantity]) -> int:
    return sum(area.quantity for area in areas)


def check_areas(areas: Sequence[AreaQuantity]) -> None:
    """Refuse what is wrong whatever the performance: a quantity below one, an id that is no
    id, an area named twice."""
    ids = [area.area_id for area in areas]
    if len(set(ids)) != len(ids) or any(
        not is_id(area.area_id) or area.quantity < 1 for area in areas
    ):
        raise UnknownArea()


def take_places(
    hold: OwnedHold, *, areas: Sequence[AreaQuantity], now: datetime
) -> list[TakenSeat]:
    """Every place asked for, or NotEnoughPlaces (the caller's transaction rolls back)."""
    names = standing_area_names(
        performance_id=hold.performance_id, area_ids=[area.area_id for area in areas]
    )
    if len(names) != len(areas):
        raise UnknownArea()
    taken: list[TakenSeat] = []
    for area in sorted(areas, key=lambda area: area.area_id):
        taken += _take_area(hold, area, name=names[area.area_id], now=now)
    return taken


def _take_area(hold: OwnedHold, area: AreaQuantity, *, name: str, now: datetime) -> list:
    def take(quantity: int, *, wait: bool) -> list[TakenSeat]:
        return inventory.take_places(
            hold_id=hold.pk,
            performance_id=hold.performance_id,
            area_id=area.area_id,
            quantity=quantity,
            expires_at=hold.expires_at,
            now=now,
            wait=wait,
        )

    try:
        with transaction.atomic():  # a savepoint: a short take gives back its places and locks
            taken = take(area.quantity, wait=False)
            if len(taken) < area.quantity:
                raise _Short()
        return taken
    except _Short:
        pass
    left = free_places(performance_id=hold.performance_id, area_id=area.area_id, now=now)
    if left >= area.quantity:  # some are being taken by buyers who may yet give them back
        taken = take(area.quantity, wait=True)
        if len(taken) == area.quantity:
            return taken
        left = len(taken)
    raise NotEnoughPlaces(area=area.area_id, name=name, left=left)


class _Short(Exception):
    """The places free and not being taken were too few: the savepoint is rolled back."""
