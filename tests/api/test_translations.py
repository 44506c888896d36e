"""Every error a buyer or organizer can meet has its Persian message, with its details filled
in, and the pages show the error classes' own messages."""

import contextlib
import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import translation

from catalog.errors import SeatsUnavailable, TooManySeats
from catalog.layout_copies import copy_performance_layout
from catalog.models import Section, SectionTicketType, TicketType
from catalog.services import RowRange, generate_section_seats
from core.errors import DomainError
from reservations.errors import HoldExpired
from web.selection import messages_for_page

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
PERSIAN_LETTER = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]")
# Names a Persian reader types as they are (headers, a media type); every other word must be
# Persian.
KEPT_IN_LATIN = {"Idempotency-Key", "Authorization", "Bearer", "Content-Type", "JSON"}
KEPT_IN_LATIN |= {"Sandali-Queue-Token"}  # header names stay as they are written
KEPT_IN_LATIN |= {"application", "json"}  # application/json
KEPT_IN_LATIN |= {"http", "https"}  # URL schemes, as header names, stay as written


def all_domain_errors() -> list[type[DomainError]]:
    for app in apps.get_app_configs():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{app.name}.errors")
    importlib.import_module("core.limits")
    found, stack = [], list(DomainError.__subclasses__())
    while stack:
        error = stack.pop()
        found.append(error)
        stack.extend(error.__subclasses__())
    return sorted(found, key=lambda error: error.code)


def with_details(error: type[DomainError]) -> DomainError:
    """The error with a distinct number for each placeholder of its message."""
    with translation.override("en"):
        names = PLACEHOLDER.findall(str(error.title))
    return error(**{name: 21 + i for i, name in enumerate(dict.fromkeys(names))})


def assert_reads_in_persian(persian: str, english: str, *, kept: frozenset = frozenset()) -> None:
    assert persian != english
    assert PERSIAN_LETTER.search(persian), persian
    assert "%(" not in persian and not re.search(r"[0-9]", persian), persian
    leftover = set(LATIN_WORD.findall(persian)) - KEPT_IN_LATIN - kept
    assert not leftover, f"English left in {persian!r}: {sorted(leftover)}"


def test_error_codes_are_unique():
    codes = [error.code for error in all_domain_errors()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("error", all_domain_errors(), ids=lambda error: error.code)
def test_each_error_message_with_its_details_reads_in_persian(error):
    instance = with_details(error)
    with translation.override("en"):
        english = instance.message
    with translation.override("fa"):
        persian = instance.message
    assert "%(" not in english
    assert_reads_in_persian(persian, english)
    for value in instance.details.values():
        assert str(value) in english
        assert str(value).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in persian


def refusal(performance, case: str) -> DomainError:
    """What an organizer meets laying out seats or copying a layout, one case at a time."""
    normal, student = TicketType.objects.filter(event=performance.event).order_by("id")
    section = Section.objects.create(performance=performance, name=f"Box {case}", position=9)
    SectionTicketType.objects.create(section=section, ticket_type=normal, price=30)
    grid = {"section": section, "rows": 5, "seats_per_row": 4}
    cases = {
        "size": lambda: generate_section_seats(**{**grid, "rows": 0}, row_ranges=[]),
        "has_seats": lambda: generate_section_seats(
            **{**grid, "section": performance.sections.first()},
            row_ranges=[RowRange(1, 5, normal)],
        ),
        "out_of_rows": lambda: generate_section_seats(**grid, row_ranges=[RowRange(2, 6, normal)]),
        "overlap": lambda: generate_section_seats(
            **grid, row_ranges=[RowRange(1, 3, normal), RowRange(3, 5, normal)]
        ),
        "gap": lambda: generate_section_seats(**grid, row_ranges=[RowRange(1, 3, normal)]),
        "unpriced": lambda: generate_section_seats(
            **grid, row_ranges=[RowRange(1, 2, normal), RowRange(3, 5, student)]
        ),
        "sales_period": lambda: copy_performance_layout(
            performance=performance,
            starts_at=performance.starts_at,
            sales_start=performance.sales_end,
            sales_end=performance.sales_end - timedelta(hours=1),
        ),
    }
    with pytest.raises(DomainError) as raised:
        cases[case]()
    return raised.value


LAYOUT_REFUSALS = ["size", "has_seats", "out_of_rows", "overlap", "gap", "unpriced", "sales_period"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", LAYOUT_REFUSALS)
def test_each_layout_refusal_reads_in_persian(performance, case):
    error = refusal(performance, case)
    with translation.override("en"):
        english = error.message
    with translation.override("fa"):
        persian = error.message
    # The organizer's own names (a ticket type's) stay as the organizer wrote them.
    assert_reads_in_persian(persian, english, kept=frozenset({"Student"}))


@pytest.mark.django_db
def test_layout_refusals_each_say_what_is_wrong(performance):
    with translation.override("en"):
        messages = [refusal(performance, case).message for case in LAYOUT_REFUSALS]
    assert len(set(messages)) == len(messages)


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize(
    ("key", "error"),
    [("too_many", TooManySeats), ("taken", SeatsUnavailable), ("expired", HoldExpired)],
)
def test_the_seat_map_shows_the_error_classes_own_messages(language, key, error):
    with translation.override(language):
        assert messages_for_page()[key] == str(error.title)
