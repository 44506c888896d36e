"""Request and response shapes of API v1."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Path, Query, Schema
from pydantic import EmailStr, Field, StrictBool, StrictInt, model_validator

SeatId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
# An id in a path: a positive 64-bit integer, so that no database is asked for a bigger one.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
Quantity = Annotated[int | None, Query(ge=1, le=100)]  # places to give back (none: all)


class SeatsIn(Schema):
    seats: list[SeatId]


class BestAvailableIn(Schema):
    # Plain ints (1.0 is one, as JSON Schema's "integer" says), unlike the seat ids' StrictInt.
    quantity: Annotated[int, Field(ge=1, le=100)]
    ticket_type: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    section: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    # Wheelchair spaces with their companion seats, `quantity` seats in all (README,
    # "Accessible seats").
    accessible: StrictBool = False
    # A price ceiling: only seats priced at most this. A string, as the API writes prices
    # ("12.50"): a JSON number such as 0.57 may arrive as 0.5700000000000001.
    max_price: Annotated[str, Field(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$")] | None = None
    # Only seats side by side in one row; none such is 409 no_seats_together.
    together: StrictBool = False


class AreaIn(Schema):
    """Places of a standing area: how many (the area's places are not chosen one by one)."""

    area: Annotated[int, Field(ge=1, le=2**63 - 1)]
    quantity: Annotated[int, Field(ge=1, le=100)]


class NewHoldIn(Schema):
    """The seats chosen and/or places of standing areas, or how many seats the server should
    choose (alone)."""

    # Absent, never null (so the schema's oneOf in api/openapi.py says all there is to say).
    seats: list[SeatId] = Field(default=None)
    areas: list[AreaIn] = Field(default=None)
    best_available: BestAvailableIn = Field(default=None)

    @model_validator(mode="after")
    def one_way_of_choosing(self):
        chosen = self.seats is not None or self.areas is not None
        if chosen == (self.best_available is not None):
            raise ValueError("give seats and/or areas, or best_available alone")
        return self


class AdditionIn(Schema):
    """Seats and/or places of standing areas to add to a hold."""

    seats: list[SeatId] = Field(default=None)
    areas: list[AreaIn] = Field(default=None)

    @model_validator(mode="after")
    def something_to_add(self):
        if self.seats is None and self.areas is None:
            raise ValueError("give seats and/or areas")
        return self


NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


class CheckoutIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    email: EmailStr
    phone: Annotated[str, Field(max_length=40, pattern=NO_NUL)] = ""
    payment_token: Annotated[str, Field(max_length=200, pattern=NO_NUL)] = ""


class PaymentPageIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    email: EmailStr
    phone: Annotated[str, Field(max_length=40, pattern=NO_NUL)] = ""
    return_url: Annotated[
        str,
        Field(
            min_length=1,
            max_length=500,
            pattern=NO_NUL,
            description="Where the provider sends the buyer back (http or https; in "
            "production https on the site itself or an origin in SANDALI_ALLOWED_ORIGINS). "
            "The client then calls .../payment-page/return with the same Idempotency-Key.",
        ),
    ]


class PaymentReturnIn(Schema):
    callback: (
        Annotated[
            dict[
                Annotated[str, Field(max_length=100, pattern=NO_NUL)],
                Annotated[str, Field(max_length=500, pattern=NO_NUL)],
            ],
            Field(
                max_length=20,
                description="The fields the provider sent the buyer back with (ZarinPal's "
                "Authority and Status from the return URL's query), passed on as they came: "
                "only a hint (a cancel at the page), never believed as a payment.",
            ),
        ]
        | None
    ) = None


class PaymentPageOut(Schema):
    payment_url: str = Field(description="The provider's page: send the buyer there.")


class PerformanceBriefOut(Schema):
    id: int
    starts_at: datetime
    sales_start: datetime
    sales_end: datetime


class EventOut(Schema):
    id: int
    name: str
    venue: str
    currency: str
    # Where the event takes place: its performances' times are shown in this zone.
    time_zone: str = Field(examples=["Asia/Tehran"], description="IANA time zone name")
    performances: list[PerformanceBriefOut]


class TicketTypeCapacityOut(Schema):
    id: int
    name: str
    price: Decimal
    allocated: int
    available: int
    reserved: int
    sold: int
    blocked: int


class SectionOut(Schema):
    id: int
    name: str
    ticket_types: list[TicketTypeCapacityOut]


class EventBriefOut(Schema):
    id: int
    name: str
    venue: str
    currency: str
    # Where the event takes place: its performances' times are shown in this zone.
    time_zone: str = Field(examples=["Asia/Tehran"], description="IANA time zone name")


class PerformanceOut(Schema):
    id: int
    event: EventBriefOut
    starts_at: datetime
    sales_start: datetime
    sales_end: datetime
    hold_minutes: int
    # Minutes a buyer may add once to a hold before it expires (POST /holds/{id}/extension).
    hold_extension_minutes: int
    max_seats_per_order: int
    # A choice of seats that would leave one free seat alone in its row is refused (409
    # would_strand_seat): a client may warn its buyer before asking.
    refuse_single_seat_gaps: bool
    sections: list[SectionOut]


class AreaPriceOut(Schema):
    ticket_type: int
    name: str
    price: Decimal


class StandingAreaOut(Schema):
    """A standing area: drawn as `outline`, sold by quantity; `free` of `capacity` places are
    left, and `version` (only growing) orders counts that arrive out of order."""

    id: int
    name: str
    outline: dict
    capacity: int
    free: int
    version: int
    prices: list[AreaPriceOut]


class SeatMapOut(Schema):
    columns: list[str]
    # SEAT_MAP_COLUMNS: id, section_id, row, number, x, y, ticket_type_id, status, version,
    # flags (bits: 1 wheelchair, 2 companion, 4 restricted view, 8 aisle)
    seats: list[tuple[int, int, str, int, float, float, int, str, int, int]]
    areas: list[StandingAreaOut]


class SeatMapColumnsOut(Schema):
    """The seat map with `?format=columns`: the same seats as SeatMapOut's rows, each column
    packed (catalog/seat_map_columns.py; web/static/web/seatmap-wire.js reads it): runs are
    [value, count, ...] pairs, differences count from 0, x and y are in 1/scale units as
    second differences, status is one letter per seat, flags are [distance, bits] pairs for
    the seats that have any."""

    format: Literal["columns-1"]
    n: int
    scale: int
    id: list[int]  # runs of differences
    section_id: list[int]  # runs
    rows: list[str]  # the row labels
    row: list[int]  # runs of indices into rows
    number: list[int]  # runs of differences
    x: list[int]  # second differences, in 1/scale units
    y: list[int]
    ticket_type_id: list[int]  # runs
    status: str  # a available, r reserved, s sold, b blocked
    version: list[int]  # runs
    flags: list[int]  # [distance from the previous flagged seat, bits, ...]
    areas: list[StandingAreaOut]


class HeldSeatOut(Schema):
    id: int
    section: str
    row: str  # "" for a place of a standing area
    number: int
    ticket_type: str
    price: Decimal | None
    standing: bool  # a place of a standing area (`section` names it), not a numbered seat


class HeldAreaOut(Schema):
    area: int
    name: str
    quantity: int


class HoldOut(Schema):
    id: int
    performance_id: int
    status: Literal["active", "checked_out"]
    expires_at: datetime
    seats: list[HeldSeatOut]
    areas: list[HeldAreaOut]  # the places among `seats`, counted by area
    total: Decimal
    currency: str
    order_id: int | None = None


class NewHoldOut(HoldOut):
    token: str
    together: bool | None = None  # best available: adjacent in one row


class TicketSeatOut(Schema):
    id: int
    section: str
    row: str
    number: int


class TicketOut(Schema):
    code: str
    seat: TicketSeatOut
    ticket_type: str
    price: Decimal
    valid: bool


class OrderOut(Schema):
    id: int
    performance_id: int
    status: str
    name: str
    email: str
    total: Decimal
    currency: str
    created_at: datetime
    tickets: list[TicketOut]


class NewOrderOut(OrderOut):
    token: str


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str
    seats: list[int] | None = None
    area: int | None = None  # not_enough_places: the area, its name and how many it has left
    name: str | None = None
    left: int | None = None
    queue: str | None = None  # waiting_room_required: where to queue (API), and the page
    queue_page: str | None = None
    limit: int | None = None


class QueueOut(Schema):
    """A place in a performance's waiting room (README, "Waiting room")."""

    # Only when the place was just taken: keep it (shown once) and send it as the
    # Sandali-Queue-Token header to GET /queue.
    token: str | None = None
    performance_id: int
    opened: bool  # false: the sale has not opened; places are drawn at random at opening
    admitted: bool
    position: int | None  # 1: next to be let in; null before opening
    waiting: int  # buyers not let in yet
    wait_seconds: int | None  # from the admission rate and the position
    rate_per_minute: int
    opens_at: datetime
    # Every seat sold or blocked (none held that could come back): stop asking.
    sold_out: bool
    # No seat is free now, but some are held and may come back: nobody is let in meanwhile,
    # and this place is kept.
    paused: bool
    poll_seconds: int  # ask again after this many seconds, not sooner
    # When admitted: send it as the Sandali-Pass header, with the queue token as
    # Sandali-Queue-Token, on each hold request of the performance.
    hold_pass: str | None = Field(default=None, alias="pass")


# ---- the door (api/checkin.py) ---------------------------------------------------------------
BodyId = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a row's id in a body or a query
LocalId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
ScannedText = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]


class CheckinIn(Schema):
    code: ScannedText  # the QR code's text (a signed pass) or a ticket code typed by hand
    performance: BodyId | None = None  # the show at this door; else any the device serves
    local_id: LocalId | None = None  # the scanner's id for the scan, so a resend is one scan


class OfflineScanIn(Schema):
    code: ScannedText
    scanned_at: datetime  # by the device's clock
    local_id: LocalId


class CheckinBatchIn(Schema):
    scans: Annotated[list[OfflineScanIn], Field(min_length=1, max_length=500)]
    sent_at: datetime | None = None  # the device's clock when sending: corrects its skew


class DoorPerformanceOut(Schema):
    id: int
    event: str
    starts_at: datetime


class DoorSeatOut(Schema):
    section: str
    row: str  # "" for a place of a standing area
    number: int
    standing: bool = False  # a place of a standing area (`section` names it)


class AdmittedOut(Schema):
    result: Literal["admitted"]
    seat: DoorSeatOut
    ticket_type: str
    performance: DoorPerformanceOut
    checked_in_at: datetime
    device: str


class ScanResultOut(Schema):
    local_id: str
    result: str  # "admitted", or the code an online scan would have been refused with
    detail: str
    conflict: bool  # a CheckinConflict was recorded for this scan
    seat: DoorSeatOut | None = None
    ticket_type: str | None = None
    performance: DoorPerformanceOut | None = None
    checked_in_at: datetime | None = None
    device: str | None = None


class CheckinBatchOut(Schema):
    results: list[ScanResultOut]


class CheckinDeviceOut(Schema):
    name: str
    performances: list[DoorPerformanceOut]


class CheckinListOut(Schema):
    version: str
    public_key: str  # Ed25519, 32 raw bytes in base64url
    device: str
    performance: DoorPerformanceOut
    columns: list[str]
    tickets: list[tuple[str, str, str, int, str, bool, datetime | None, str | None]]


# Waiting list (README "Waiting list"). The quantity and address are checked by the service,
# so that their refusals carry its stable codes (waiting_list_quantity, ..._email_invalid).
class WaitingListIn(Schema):
    email: Annotated[str, Field(max_length=254)]
    quantity: Annotated[int, Field(ge=-(2**31), le=2**31)]
    # Both or neither: one section x ticket type, or any seat.
    section: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    ticket_type: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None


class WaitingListOut(Schema):
    entry: int
    position: int  # among the entries waiting for an offer
    updated: bool  # the address was on the list: its entry now says this
