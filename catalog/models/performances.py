"""Events, performances and their seats.

Capacity is never stored here: every figure is an aggregate over Seat rows
(see catalog/selectors.py). The CHECK constraints on Seat make the inconsistent
states of a seat (a reservation without expiry, a sale without ticket, ...)
impossible to write.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

# The most a hold may be extended by (Performance.hold_extension_minutes).
MAX_HOLD_EXTENSION_MINUTES = 30
# The most a hold may be kept while its buyer is at a payment provider's page
# (Performance.payment_page_minutes).
MAX_PAYMENT_PAGE_MINUTES = 30


def default_time_zone() -> str:
    """A new event's time zone: the site's (SANDALI_TIME_ZONE), read when the event is made."""
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    """An IANA name that this machine's time zone database knows ("Asia/Tehran")."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(zone)s is not a known time zone (an IANA name such as Asia/Tehran)."),
            code="unknown_time_zone",
            params={"zone": value},
        )


class Event(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # Where the event takes place: every time of its performances is shown in this zone, to
    # buyers and in the admin alike, whatever the site's own zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("The IANA name of the venue's time zone, such as Asia/Tehran."),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Performance(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="performances", verbose_name=_("event")
    )
    starts_at = models.DateTimeField(_("starts at"))
    sales_start = models.DateTimeField(_("sales start"))
    sales_end = models.DateTimeField(_("sales end"))
    # Draft while empty; buyers see the performance from this moment on (catalog/publishing.py
    # sets it, after checking there is something to sell), and never before: an unpublished
    # one answers them as a missing one does.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    hold_minutes = models.PositiveIntegerField(_("hold minutes"), default=10)
    max_seats_per_order = models.PositiveIntegerField(_("max seats per order"), default=10)
    # Once per hold, before it expires (reservations/extension.py): the minutes a buyer at
    # the payment step may add; 0 offers none. Bounded, so that no seat is kept from other
    # buyers for long by one who has walked away.
    hold_extension_minutes = models.PositiveIntegerField(
        _("hold extension minutes"),
        default=0,
        validators=[MaxValueValidator(MAX_HOLD_EXTENSION_MINUTES)],
        help_text=_(
            "Minutes a buyer may add once to a hold while paying, before it expires; 0: none."
        ),
    )
    # While its buyer is at the payment provider's page (orders/redirect.py), a hold is kept
    # until at least this many minutes after the first visit began, and never longer: bounded,
    # so that a buyer who never comes back keeps nobody else from the seats for long.
    payment_page_minutes = models.PositiveIntegerField(
        _("payment page minutes"),
        default=10,
        validators=[MaxValueValidator(MAX_PAYMENT_PAGE_MINUTES)],
        help_text=_(
            "Minutes a hold is kept, at most, while its buyer is at the payment provider's page."
        ),
    )
    refuse_single_seat_gaps = models.BooleanField(
        _("refuse single-seat gaps"),
        default=False,
        help_text=_(
            "Refuse a buyer's own choice of seats that would leave a single free seat alone "
            "in its row. Best available avoids such gaps anyway."
        ),
    )
    # The organizer's choice: may a companion seat be held without its wheelchair space?
    # Off by default, so that companion seats stay for the wheelchair users' companions.
    companions_sell_alone = models.BooleanField(
        _("companion seats sell alone"),
        default=False,
        help_text=_(
            "Whether a companion seat may be bought without the wheelchair space it belongs to."
        ),
    )
    # The stage, labels and decorations drawn behind the seats: a copy of its layout's shapes
    # ([{"kind", "geometry", "text"}]) taken when the performance was made, so that later
    # edits of the layout never change a map already on sale.
    shapes = models.JSONField(_("shapes"), default=list, blank=True)
    # The waiting room (reservations/waiting_room.py): it opens at sales_start.
    waiting_room = models.BooleanField(
        _("waiting room"),
        default=False,
        help_text=_(
            "Buyers queue before they may hold seats: those who come before the sale opens "
            "are put in random order at opening, later ones in order of arrival."
        ),
    )
    waiting_room_rate = models.PositiveIntegerField(
        _("admissions per minute"),
        default=0,
        help_text=_("Buyers let in from the queue each minute; 0: derived by Sandali."),
    )
    waiting_room_threshold = models.PositiveIntegerField(
        _("waiting room threshold"),
        default=0,
        help_text=_(
            "Turn the waiting room on by itself when more buyers than this arrive in a "
            "minute; 0: never."
        ),
    )

    class Meta:
        verbose_name = _("performance")
        verbose_name_plural = _("performances")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sales_end__gt=models.F("sales_start")), name="sales_window_ordered"
            ),
            models.CheckConstraint(condition=Q(hold_minutes__gte=1), name="hold_minutes_positive"),
            models.CheckConstraint(
                condition=Q(max_seats_per_order__gte=1), name="max_seats_positive"
            ),
            models.CheckConstraint(
                condition=Q(hold_extension_minutes__lte=MAX_HOLD_EXTENSION_MINUTES),
                name="hold_extension_bounded",
            ),
            models.CheckConstraint(
                condition=Q(payment_page_minutes__lte=MAX_PAYMENT_PAGE_MINUTES),
                name="payment_page_minutes_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {localtime(self.starts_at, self.event.zone):%Y-%m-%d %H:%M}"


class TicketType(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="ticket_types", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="ticket_type_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SectionKind(models.TextChoices):
    SEATED = "seated", _("numbered seats")
    STANDING = "standing", _("standing area")


# A standing area's places are seat rows with this row label (numbers 1..capacity): a seat's
# row always has a label (1 to 10 characters), so tickets, the door and the mails tell a
# place from a seat by the seat row alone, with no join.
PLACE_ROW = ""


class Section(models.Model):
    """A block of numbered seats, or a standing (general-admission) area whose places are seat
    rows like any other (row PLACE_ROW, numbers 1..capacity): held, expired, sold and audited
    by the same statements, its capacity and what is left counted from them, never stored.
    `outline` is where the area is drawn, in the map's coordinates (LayoutShape's geometry)."""

    performance = models.ForeignKey(
        Performance,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("performance"),
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Fixed when the section is made (its seats are made with it): never edited afterwards.
    kind = models.CharField(
        _("kind"), max_length=10, choices=SectionKind.choices, default=SectionKind.SEATED
    )
    outline = models.JSONField(_("outline"), default=dict, blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "name"], name="section_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=SectionKind.values), name="section_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SectionTicketType(models.Model):
    """The price of one ticket type in one section; capacities are computed, never stored."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="prices", verbose_name=_("section")
    )
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.CASCADE, related_name="prices", verbose_name=_("ticket type")
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["section", "ticket_type"], name="one_price_per_pair"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.section} / {self.ticket_type}: {self.price}"


class SeatStatus(models.TextChoices):
    AVAILABLE = "available", _("available")
    RESERVED = "reserved", _("reserved")
    SOLD = "sold", _("sold")
    BLOCKED = "blocked", _("blocked")


class Seat(models.Model):
    performance = models.ForeignKey(
        Performance, on_delete=models.CASCADE, related_name="seats", verbose_name=_("performance")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="seats", verbose_name=_("section")
    )
    row = models.CharField(_("row"), max_length=10)
    number = models.PositiveIntegerField(_("number"))
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.PROTECT, related_name="seats", verbose_name=_("ticket type")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SeatStatus.choices, default=SeatStatus.AVAILABLE
    )
    hold = models.ForeignKey(
        "reservations.Hold",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seats",
        verbose_name=_("hold"),
    )
    # A copy of the hold's expiry, so that "effectively available" is decided on the seat
    # row alone, without a join, by every read and every conditional UPDATE.
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    ticket = models.OneToOneField(
        "orders.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sold_seat",
        verbose_name=_("ticket"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # The layout's flags (catalog/seat_flags.py: wheelchair 1, companion 2, restricted view 4,
    # aisle 8) as one small integer: one column that both PostgreSQL and SQLite test with a
    # plain `flag_bits & 1`, which the seat map sends as it is (0 for most seats).
    flag_bits = models.PositiveSmallIntegerField(_("flags"), default=0)
    # A companion seat's wheelchair space (same performance): held with it, released with it.
    # DO_NOTHING: the seats of a performance go together, and the deferred foreign key only
    # checks at commit, so deleting them needs no per-seat cascade.
    companion_of = models.ForeignKey(
        "self",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_index=False,
        related_name="companions",
        verbose_name=_("companion of"),
    )

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(
                fields=["performance", "section", "row", "number"], name="seat_unique_place"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SeatStatus.values), name="seat_status_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status=SeatStatus.RESERVED,
                        hold__isnull=False,
                        hold_expires_at__isnull=False,
                        ticket__isnull=True,
                    )
                    | Q(
                        status=SeatStatus.SOLD,
                        hold__isnull=True,
                        hold_expires_at__isnull=True,
                        ticket__isnull=False,
                    )
                    | Q(
                        status__in=[SeatStatus.AVAILABLE, SeatStatus.BLOCKED],
                        hold__isnull=True,
                        hold_expires_at__isnull=True,
                        ticket__isnull=True,
                    )
                ),
                name="seat_status_matches_fields",
            ),
            models.CheckConstraint(condition=Q(flag_bits__lt=16), name="seat_flags_known"),
        ]
        indexes = [
            # The sweeper and the audit look for expired reservations.
            models.Index(
                fields=["hold_expires_at"],
                name="seat_reserved_expiry",
                condition=Q(status=SeatStatus.RESERVED),
            ),
            # Availability per performance groups by section and ticket type.
            models.Index(
                fields=["performance", "section", "ticket_type", "status"],
                name="seat_availability",
            ),
            # Holding a wheelchair space finds its companions, and a hold first asks whether
            # the performance has any at all; few seats have one.
            models.Index(
                fields=["performance", "companion_of"],
                name="seat_companion_of",
                condition=Q(companion_of__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} {self.row}-{self.number}"
