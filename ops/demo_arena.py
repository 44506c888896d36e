"""The demo arena: about 20,000 places around a stage, drawn with the layout services as an
organizer would draw it — a standing floor in front of the stage, two curved tiers of blocks
around it, wheelchair spaces with companion seats on the cross-aisle between the tiers — and
one performance made from the layout."""

import math
from datetime import datetime
from decimal import Decimal

from catalog.layout_copies import create_performance_from_layout
from catalog.layout_geometry import Arc, RowSpec, row_label
from catalog.layouts import PlacedSection, SectionSpec, ShapeSpec, lay_out, save_placed_layout
from catalog.models import Event, Performance, SectionKind, TicketType, VenueLayout

SPACING = 1.05  # seat centres, in seat widths: a little room between seats
ROW_DEPTH = 1.2
BLOCK_DEGREES = 20.0  # each block of a tier spans this angle around the stage
AISLE_DEGREES = 1.5  # the radial aisle between two blocks
FIRST_BLOCK = -20.0  # degrees from +x, clockwise on a screen: the tiers wrap from right, round
BLOCKS = 11  # the front of the stage, to the left
# (tier name, first row's radius, rows): the lower tier, then the upper beyond the cross-aisle
TIERS = (("Lower", 30.0, 26), ("Upper", 65.0, 38))
CROSS_AISLE_RADIUS = 62.5  # between the tiers: the wheelchair platforms
WHEELCHAIR_BLOCKS = (2, 4, 6, 8)  # blocks with a platform on the cross-aisle
VIP_ROWS = 5  # the lower tier's first rows of the three central blocks
FLOOR_PLACES = 5_000
FLOOR_RADIUS = 27.0  # inside the lower tier's first row


def create_arena(*, starts_at: datetime, sales_start: datetime) -> Performance:
    event = Event.objects.create(name="Azadi Arena Live", venue="Azadi Arena", currency="EUR")
    normal, vip, student = (
        TicketType.objects.create(event=event, name=name) for name in ("Normal", "VIP", "Student")
    )
    layout = VenueLayout.objects.create(event=event, name="Arena, concert")
    blocks = [
        _block(tier, radius, rows, block, normal=normal, vip=vip, student=student)
        for tier, radius, rows in TIERS
        for block in range(BLOCKS)
    ]
    placed = lay_out(blocks)
    seated = [PlacedSection(b.name, placed[b.name], b.prices) for b in blocks]
    save_placed_layout(layout=layout, sections=[_floor(normal), *seated], shapes=_shapes())
    return create_performance_from_layout(
        layout=layout, starts_at=starts_at, sales_start=sales_start, sales_end=starts_at
    )


def _block(tier: str, first_radius: float, rows: int, block: int, **types) -> SectionSpec:
    """One block of a tier: rows on arcs around the stage's centre, each as long as the block's
    angle allows at its radius, so that the blocks' radial aisles stay straight."""
    normal, vip, student = types["normal"], types["vip"], types["student"]
    centre = FIRST_BLOCK + BLOCK_DEGREES * (block + 0.5)
    seated_degrees = BLOCK_DEGREES - AISLE_DEGREES
    central = abs(centre - 90) <= BLOCK_DEGREES  # the three blocks facing the stage
    specs = []
    for index in range(1, rows + 1):
        radius = first_radius + (index - 1) * ROW_DEPTH
        seats = int(radius * math.radians(seated_degrees) / SPACING)
        if tier == "Lower" and central and index <= VIP_ROWS:
            ticket_type = vip
        elif tier == "Upper" and index > rows - 8:
            ticket_type = student  # the last rows of the upper tier
        else:
            ticket_type = normal
        specs.append(
            RowSpec(
                label=row_label(index),
                seats=seats,
                ticket_type=ticket_type.pk,
                spacing=SPACING,
                arc=Arc(centre_x=0.0, centre_y=0.0, radius=radius, angle=centre),
            )
        )
    if tier == "Lower" and block in WHEELCHAIR_BLOCKS:
        specs.append(_wheelchair_platform(centre, normal.pk))
    prices = {normal.pk: Decimal("55" if tier == "Lower" else "35")}
    if any(spec.ticket_type == vip.pk for spec in specs):
        prices[vip.pk] = Decimal("120")
    if any(spec.ticket_type == student.pk for spec in specs):
        prices[student.pk] = Decimal("20")
    return SectionSpec(name=f"{tier} {block + 1}", rows=specs, prices=prices)


def _wheelchair_platform(centre: float, ticket_type: int) -> RowSpec:
    """Three wheelchair spaces on the cross-aisle, each with a companion seat beside it."""
    flags = {
        number: frozenset({"wheelchair"} if number % 2 else {"companion"}) for number in range(1, 7)
    }
    return RowSpec(
        label="WC",  # not a letter row: the lower tier has rows A to Z
        seats=6,
        ticket_type=ticket_type,
        spacing=1.4,  # a wheelchair space is wider than a seat
        arc=Arc(centre_x=0.0, centre_y=0.0, radius=CROSS_AISLE_RADIUS, angle=centre),
        flags=flags,
        companions={2: 1, 4: 3, 6: 5},  # each companion seat names the space beside it
    )


def _floor(ticket_type: TicketType) -> PlacedSection:
    """The standing floor: places sold by quantity, in the half disc between the stage's
    front and the lower tier."""
    arc = [math.radians(degrees) for degrees in range(0, 181, 15)]
    points = [[FLOOR_RADIUS * math.cos(a), FLOOR_RADIUS * math.sin(a)] for a in arc]
    return PlacedSection(
        name="Floor",
        seats=[],
        prices={ticket_type.pk: Decimal("45")},
        kind=SectionKind.STANDING,
        capacity=FLOOR_PLACES,
        outline={"type": "polygon", "points": points},
    )


def _shapes() -> list[ShapeSpec]:
    return [
        ShapeSpec(
            kind="stage",
            geometry={"type": "rect", "x": -14.0, "y": -12.0, "width": 28.0, "height": 10.0},
            text="Stage",
        ),
    ]
