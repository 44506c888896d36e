"""The door: check-in devices, the one check-in a ticket may have, and the conflicts that
offline scanning can leave behind for the organizer to see.

Only checkin/services.py and checkin/devices.py write these rows. A ticket has at most one
CheckIn (a UNIQUE constraint), so two gates scanning it at the same instant cannot both admit
it; how many are in is counted from these rows, never kept in a counter.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CheckinDevice(models.Model):
    """A phone or scanner at a door, reached only with the bearer token issued when it was made
    (stored as a SHA-256 hash). It admits tickets of its performances only."""

    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    performances = models.ManyToManyField(
        "catalog.Performance", related_name="checkin_devices", verbose_name=_("performances")
    )
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in device")
        verbose_name_plural = _("check-in devices")

    def __str__(self) -> str:
        return self.name


class CheckIn(models.Model):
    """A ticket let in: the earliest scan of it that Sandali has heard of (first scan wins,
    by scanned_at, across devices and uploads). `scanned_at` is the database's clock for a scan
    made online and the device's clock, corrected by its offset, for one made offline."""

    ticket = models.OneToOneField(
        "orders.Ticket", on_delete=models.PROTECT, related_name="checkin", verbose_name=_("ticket")
    )
    device = models.ForeignKey(
        CheckinDevice, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("device")
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    offline = models.BooleanField(_("scanned offline"), default=False)
    # The scanner's own id for the scan, so that an upload sent twice is recorded once.
    local_id = models.CharField(_("scan id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "local_id"],
                condition=~Q(local_id=""),
                name="checkin_one_per_device_scan",
            )
        ]

    def __str__(self) -> str:
        return f"check-in {self.pk}"


class ConflictKind(models.TextChoices):
    USED_TWICE = "used_twice", _("ticket used twice")
    CANCELLED_ADMITTED = "cancelled_admitted", _("cancelled ticket let in")
    WRONG_PERFORMANCE = "wrong_performance", _("ticket of another performance let in")


class CheckinConflict(models.Model):
    """A scan that let somebody in although the ticket did not allow it, learnt when an
    offline scanner uploaded: a second use of a ticket (whichever scan came later), a cancelled
    ticket, or a ticket of another performance. Shown to the organizer in the admin."""

    ticket = models.ForeignKey(
        "orders.Ticket",
        on_delete=models.PROTECT,
        related_name="checkin_conflicts",
        verbose_name=_("ticket"),
    )
    performance = models.ForeignKey(
        "catalog.Performance",
        on_delete=models.PROTECT,
        related_name="checkin_conflicts",
        verbose_name=_("performance"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConflictKind.choices)
    device = models.ForeignKey(
        CheckinDevice,
        on_delete=models.PROTECT,
        related_name="conflicts",
        verbose_name=_("device"),
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    offline = models.BooleanField(_("scanned offline"), default=False)
    local_id = models.CharField(_("scan id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("check-in conflict")
        verbose_name_plural = _("check-in conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "local_id"],
                condition=~Q(local_id=""),
                name="conflict_one_per_device_scan",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ConflictKind.values), name="conflict_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["performance", "kind"], name="conflict_by_performance")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.ticket}"
