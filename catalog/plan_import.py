"""Seating-plan files into layouts and performances: the services behind
`manage.py import_seating_plan` and the layout admin's import.

A file (pretix JSON or CSV, told apart by its content) is read whole first
(catalog/seating_plans.py, catalog/seating_csv.py); its categories or ticket types are then
matched by name to the event's ticket types and priced, and the layout is saved through
catalog.layouts.save_placed_layout, which refuses overlapping or repeated seats. Anything
refused raises before a row is written, and each service runs in one transaction, so an
invalid file changes nothing.

Prices: a plan names ticket types but no prices. Each (section, ticket type) used is priced
by, first, a price rule given with the import ("Normal=40" for every section,
"Balcony:Normal=25" for one), else the price the same section and ticket type already have in
the layout being replaced or the performance being filled; a seat left unpriced refuses the
file, naming the section, the ticket type and where its first seat is.

Locks: an import that makes a layout locks its event's row first (layout names are unique per
event, and the next free name is chosen by reading them), then, when it fills a performance,
the performance's row (catalog.layouts.fill_performance_from_layout); two imports at once run
one after the other, and the second into one performance is refused, not half-written."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.db import transaction

from catalog.layout_copies import create_performance_from_layout, fill_performance_from_layout
from catalog.layout_geometry import link_companions
from catalog.layouts import PlacedSection, ShapeSpec, save_placed_layout, standing_areas_of
from catalog.models import (
    Event,
    LayoutSectionPrice,
    Performance,
    SectionTicketType,
    TicketType,
    VenueLayout,
)
from catalog.plan_files import ReadPlan, refuse
from catalog.seating_csv import looks_like_csv, read_csv
from catalog.seating_plans import read_pretix
from core.localformat import LATIN_DIGITS


@dataclass(frozen=True)
class PriceRule:
    """`price` for `ticket_type` in `section`, or in every section when section is None;
    `where` is where it was given, for a refusal."""

    ticket_type: str
    price: Decimal
    section: str | None = None
    where: str = ""


def read_plan_file(
    *, content: bytes, filename: str, pixels_per_seat: float | None = None
) -> ReadPlan:
    """The plan in a file: pretix JSON when it starts with "{" (or is named .json), CSV when
    its first line names the columns (or it is named .csv)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        refuse(filename, "not_text")
    name = PurePath(filename).stem
    suffix = PurePath(filename).suffix.lower()
    if text.lstrip().startswith("{") or suffix == ".json":
        return read_pretix(text, name=name, pixels_per_seat=pixels_per_seat)
    if suffix == ".csv" or looks_like_csv(text.splitlines()):
        return read_csv(text, name=name)
    refuse(filename, "unknown_format")


def parse_price_rules(texts: Iterable[str], *, where: str) -> list[PriceRule]:
    """Rules from "Ticket type=40" or "Section:Ticket type=40", one a text; blank texts are
    skipped. A name with a colon that is a ticket type's whole name is matched later."""
    rules = []
    for text in texts:
        if not text.strip():
            continue
        given = f'{where} "{text.strip()}"'
        names, equals, amount = text.rpartition("=")
        try:
            price = Decimal(amount.strip().translate(LATIN_DIGITS))
        except InvalidOperation:
            price = None
        if not equals or not names.strip() or price is None or not price.is_finite() or price < 0:
            refuse(given, "bad_price", value=text.strip())
        section, colon, ticket_type = names.partition(":")
        rules.append(
            PriceRule(ticket_type.strip(), price, section.strip(), given)
            if colon
            else PriceRule(names.strip(), price, None, given)
        )
    return rules


def _ticket_types(event: Event, plan: ReadPlan) -> dict[str, int]:
    """Each name the plan uses -> the event's ticket type of that name (case aside)."""
    of_event = {t.name: t.pk for t in TicketType.objects.filter(event=event)}
    folded = {name.casefold(): pk for name, pk in of_event.items()}
    found = {}
    for section in plan.sections:
        for seat, where in zip(section.seats, section.places, strict=True):
            name = seat.ticket_type
            if name not in found:
                found[name] = of_event.get(name) or folded.get(name.casefold())
                if found[name] is None:
                    refuse(
                        where, "unknown_ticket_type", value=name, known=", ".join(sorted(of_event))
                    )
    return found


def _rule_prices(
    rules: Sequence[PriceRule], event: Event, plan: ReadPlan
) -> dict[tuple[str | None, int], Decimal]:
    of_event = {t.name.casefold(): t.pk for t in TicketType.objects.filter(event=event)}
    sections = {section.name for section in plan.sections}
    prices = {}
    for rule in rules:
        type_id = of_event.get(rule.ticket_type.casefold())
        section = rule.section
        if section is not None and section not in sections:  # "A:B=1": a ticket type "A:B"?
            type_id, section = of_event.get(f"{rule.section}:{rule.ticket_type}".casefold()), None
        if type_id is None:
            named = (
                rule.ticket_type if rule.section is None else f"{rule.section}:{rule.ticket_type}"
            )
            refuse(rule.where or str(rule), "unknown_price_name", value=named)
        prices[(section, type_id)] = rule.price
    return prices


def placed_sections(
    *,
    plan: ReadPlan,
    event: Event,
    rules: Sequence[PriceRule] = (),
    known_prices: Mapping[tuple[str, int], Decimal] | None = None,
) -> list[PlacedSection]:
    """The plan's sections with ticket type ids and prices, ready for save_placed_layout."""
    type_of = _ticket_types(event, plan)
    ruled = _rule_prices(rules, event, plan)
    known = known_prices or {}
    sections = []
    for section in plan.sections:
        seats = link_companions(
            [replace(seat, ticket_type=type_of[seat.ticket_type]) for seat in section.seats]
        )
        prices = {}
        for seat, read, where in zip(seats, section.seats, section.places, strict=True):
            type_id = seat.ticket_type
            if type_id in prices:
                continue
            price = ruled.get((section.name, type_id), ruled.get((None, type_id)))
            price = known.get((section.name, type_id)) if price is None else price
            if price is None:
                refuse(where, "no_price", ticket_type=read.ticket_type, section=section.name)
            prices[type_id] = price
        sections.append(
            PlacedSection(
                name=section.name,
                seats=seats,
                prices=prices,
                offset_x=section.offset_x,
                offset_y=section.offset_y,
            )
        )
    return sections


def import_plan(*, layout: VenueLayout, plan: ReadPlan, rules: Sequence[PriceRule] = ()) -> int:
    """Replace the layout's seats (and shapes, when the file has them: a CSV has none, so the
    layout keeps its own) with the plan's, all or nothing; its standing areas are kept.
    Returns the number of seats."""
    known = {
        (price.section.name, price.ticket_type_id): price.price
        for price in LayoutSectionPrice.objects.filter(section__layout=layout).select_related(
            "section"
        )
    }
    with transaction.atomic():
        sections = placed_sections(plan=plan, event=layout.event, rules=rules, known_prices=known)
        shapes = plan.shapes
        if shapes is None:
            shapes = [ShapeSpec(s.kind, s.geometry, s.text) for s in layout.shapes.order_by("id")]
        # A plan file holds numbered seats; the layout's standing areas stay unless the plan
        # names a section so.
        named = {section.name for section in sections}
        sections += [area for area in standing_areas_of(layout) if area.name not in named]
        return save_placed_layout(layout=layout, sections=sections, shapes=shapes)


def _lock_event(event: Event) -> None:
    list(Event.objects.select_for_update().filter(pk=event.pk).values_list("pk", flat=True))


def unused_layout_name(event: Event, name: str) -> str:
    """`name`, or "name (2)", "name (3)" … when the event already has a layout of that name."""
    name = name.strip()[:190] or "Imported plan"
    taken = set(VenueLayout.objects.filter(event=event).values_list("name", flat=True))
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def import_plan_as_performance(
    *,
    event: Event,
    plan: ReadPlan,
    starts_at: datetime,
    sales_start: datetime,
    sales_end: datetime,
    rules: Sequence[PriceRule] = (),
    layout_name: str | None = None,
) -> Performance:
    """A new layout of the event from the plan, and a new performance made from it."""
    with transaction.atomic():
        _lock_event(event)
        layout = VenueLayout.objects.create(
            event=event, name=unused_layout_name(event, layout_name or plan.name)
        )
        import_plan(layout=layout, plan=plan, rules=rules)
        return create_performance_from_layout(
            layout=layout, starts_at=starts_at, sales_start=sales_start, sales_end=sales_end
        )


def import_plan_into_performance(
    *,
    performance: Performance,
    plan: ReadPlan,
    rules: Sequence[PriceRule] = (),
    layout_name: str | None = None,
) -> VenueLayout:
    """A new layout of the performance's event from the plan, which then fills the
    performance (one that has no seats yet); prices the performance's sections already have
    price the plan's sections of the same names."""
    known = {
        (price.section.name, price.ticket_type_id): price.price
        for price in SectionTicketType.objects.filter(
            section__performance=performance
        ).select_related("section")
    }
    event = performance.event
    with transaction.atomic():
        _lock_event(event)
        layout = VenueLayout.objects.create(
            event=event, name=unused_layout_name(event, layout_name or plan.name)
        )
        sections = placed_sections(plan=plan, event=event, rules=rules, known_prices=known)
        save_placed_layout(layout=layout, sections=sections, shapes=plan.shapes or ())
        fill_performance_from_layout(performance=performance, layout=layout)
        return layout
