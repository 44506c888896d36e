"""Request and response shapes of API v1."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Path, Schema
from pydantic import EmailStr, Field, StrictInt

SeatId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
# An id in a path: a positive 64-bit integer, so that no database is asked for a bigger one.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class SeatsIn(Schema):
    seats: list[SeatId]


NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


class CheckoutIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    email: EmailStr
    phone: Annotated[str, Field(max_length=40, pattern=NO_NUL)] = ""
    payment_token: Annotated[str, Field(max_length=200, pattern=NO_NUL)] = ""


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


class PerformanceOut(Schema):
    id: int
    event: EventBriefOut
    starts_at: datetime
    sales_start: datetime
    sales_end: datetime
    hold_minutes: int
    max_seats_per_order: int
    sections: list[SectionOut]


class SeatMapOut(Schema):
    columns: list[str]
    seats: list[tuple[int, int, str, int, float, float, int, str, int]]


class HeldSeatOut(Schema):
    id: int
    section: str
    row: str
    number: int
    ticket_type: str
    price: Decimal | None


class HoldOut(Schema):
    id: int
    performance_id: int
    status: Literal["active", "checked_out"]
    expires_at: datetime
    seats: list[HeldSeatOut]
    total: Decimal
    currency: str
    order_id: int | None = None


class NewHoldOut(HoldOut):
    token: str


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
