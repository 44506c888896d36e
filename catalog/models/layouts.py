"""Venue layouts: a hall drawn once and reused by the performances made from it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models.performances import Event, SectionKind, TicketType

# Venue layouts: a hall drawn once and reused by the performances made from it. A layout is
# its event's, because ticket types and their prices are the event's: its seats name ticket
# types and its sections price them, so a performance is made from it by a plain copy, with
# no mapping of price categories (a venue-wide layout shared by events is a later step).


class VenueLayout(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="layouts", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=200)
    # Raised by every save of the layout (catalog/layouts.py): a designer that saves the
    # revision it loaded is refused if somebody else saved in between, instead of undoing
    # their work unseen.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    class Meta:
        verbose_name = _("venue layout")
        verbose_name_plural = _("venue layouts")
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="layout_unique_name")]

    def __str__(self) -> str:
        return self.name


class LayoutSection(models.Model):
    """A block of seats placed in the hall: its seats' x, y are in the layout's coordinates,
    already moved to `offset` and turned by `rotation` (degrees), which are kept to move it
    again."""

    layout = models.ForeignKey(
        VenueLayout, on_delete=models.CASCADE, related_name="sections", verbose_name=_("layout")
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    offset_x = models.FloatField(_("offset x"), default=0)
    offset_y = models.FloatField(_("offset y"), default=0)
    rotation = models.FloatField(_("rotation"), default=0)
    # A standing area has no seats drawn: `capacity` places, made for each performance.
    kind = models.CharField(
        _("kind"), max_length=10, choices=SectionKind.choices, default=SectionKind.SEATED
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    outline = models.JSONField(_("outline"), default=dict, blank=True)

    class Meta:
        verbose_name = _("layout section")
        verbose_name_plural = _("layout sections")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "name"], name="layout_section_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=SectionKind.values), name="layout_section_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(kind=SectionKind.SEATED, capacity=0)
                | Q(kind=SectionKind.STANDING, capacity__gte=1),
                name="layout_section_capacity_of_areas",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LayoutSectionPrice(models.Model):
    """What SectionTicketType is to a performance's section, for a layout's."""

    section = models.ForeignKey(
        LayoutSection, on_delete=models.CASCADE, related_name="prices", verbose_name=_("section")
    )
    ticket_type = models.ForeignKey(
        TicketType,
        on_delete=models.CASCADE,
        related_name="layout_prices",
        verbose_name=_("ticket type"),
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("layout price")
        verbose_name_plural = _("layout prices")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "ticket_type"], name="layout_one_price_per_pair"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="layout_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.section} / {self.ticket_type}: {self.price}"


class LayoutSeat(models.Model):
    section = models.ForeignKey(
        LayoutSection, on_delete=models.CASCADE, related_name="seats", verbose_name=_("section")
    )
    row = models.CharField(_("row"), max_length=10)
    number = models.PositiveIntegerField(_("number"))
    x = models.FloatField()
    y = models.FloatField()
    ticket_type = models.ForeignKey(
        TicketType,
        on_delete=models.PROTECT,
        related_name="layout_seats",
        verbose_name=_("ticket type"),
    )
    # A kill: copied to each performance as a blocked seat, never sold.
    blocked = models.BooleanField(_("blocked"), default=False)
    # A list of catalog.layout_geometry.SEAT_FLAGS (wheelchair, companion, ...).
    flags = models.JSONField(_("flags"), default=list, blank=True)
    # A companion seat's wheelchair space: its number in the same section and row.
    companion_of = models.PositiveIntegerField(
        _("companion of seat number"),
        null=True,
        blank=True,
        help_text=_("For a companion seat: the number of its wheelchair space in the same row."),
    )

    class Meta:
        verbose_name = _("layout seat")
        verbose_name_plural = _("layout seats")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "row", "number"], name="layout_seat_unique_place"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} {self.row}-{self.number}"


class ShapeKind(models.TextChoices):
    STAGE = "stage", _("stage")
    LABEL = "label", _("label")
    DECORATION = "decoration", _("decoration")


class LayoutShape(models.Model):
    """What is drawn but not sold: the stage, a label, a decoration. `geometry` is the
    designer's (e.g. {"type": "rect", "x": 0, "y": 0, "width": 20, "height": 4})."""

    layout = models.ForeignKey(
        VenueLayout, on_delete=models.CASCADE, related_name="shapes", verbose_name=_("layout")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ShapeKind.choices)
    geometry = models.JSONField(_("geometry"), default=dict)
    text = models.CharField(_("text"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shape")
        verbose_name_plural = _("shapes")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ShapeKind.values), name="shape_kind_known")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.text}".strip()
