"""A hold: a buyer's claim on seats for a few minutes.

Which seats a hold has is told by the seats (Seat.hold), never by a list on the hold.
The hold is reached only with its secret token, stored here as a SHA-256 hash.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hold(models.Model):
    performance = models.ForeignKey(
        "catalog.Performance",
        on_delete=models.CASCADE,
        related_name="holds",
        verbose_name=_("performance"),
    )
    token_hash = models.CharField(max_length=64)
    # Who made it, as a keyed hash of the client's address (never the address itself), so
    # that the seats one client holds across all its holds can be capped.
    client_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    # Set by checkout in the transaction that makes the hold's order (reservations.services.
    # close_hold), so that the hold's own services know it without reading orders.
    checked_out = models.BooleanField(_("checked out"), default=False, db_default=False)
    # Whether its buyer has used the one extension a hold may have (reservations/extension.py).
    extended = models.BooleanField(_("extended"), default=False, db_default=False)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="hold_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}"


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")  # on the list, in order of joining
    OFFERED = "offered", _("offered")  # seats held for it (its hold), until the hold expires
    BOUGHT = "bought", _("bought")  # its offer's hold was checked out: off the list
    DECLINED = "declined", _("declined")  # the buyer passed (the mail's link): off the list
    EXPIRED = "expired", _("expired")  # the offer was not taken in time: off the list
    REMOVED = "removed", _("removed")  # staff took it off the list


# An entry is on the list while waiting or offered: one per address and performance.
ON_THE_LIST = [WaitingStatus.WAITING, WaitingStatus.OFFERED]


class WaitingEntry(models.Model):
    """A buyer on a performance's waiting list (orders/waiting_list.py): an address, how many
    seats, of which section x ticket type (both empty: any). Freed seats are offered in the
    order of `created_at` (then id) through a hold made for the entry (`hold`). The offer's
    link secret is derived from `offer_seed` with SECRET_KEY (so a reader of this table can
    compute no link); only the secret's SHA-256 finds the entry."""

    performance = models.ForeignKey(
        "catalog.Performance",
        on_delete=models.CASCADE,
        related_name="waiting_entries",
        verbose_name=_("performance"),
    )
    section = models.ForeignKey(
        "catalog.Section",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("section"),
    )
    ticket_type = models.ForeignKey(
        "catalog.TicketType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket type"),
    )
    email = models.EmailField(_("email"))
    email_key = models.CharField(max_length=254)  # the address casefolded: one entry each
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=8, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    created_at = models.DateTimeField(_("joined at"))
    hold = models.OneToOneField(
        Hold,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waiting_entry",
        verbose_name=_("offer's hold"),
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offered_seats = models.PositiveSmallIntegerField(_("seats offered"), default=0)
    offer_seed = models.CharField(max_length=64, blank=True)
    offer_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    ended_at = models.DateTimeField(_("left the list at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["performance", "email_key"],
                condition=models.Q(status__in=ON_THE_LIST),
                name="one_waiting_entry_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="waiting_entry_wants_seats",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=WaitingStatus.OFFERED)
                | models.Q(hold__isnull=False, offered_at__isnull=False),
                name="waiting_offer_has_hold",
            ),
        ]
        indexes = [
            # The public's hold checks this on every hold: is anybody waiting here?
            models.Index(
                fields=["performance", "created_at", "id"],
                condition=models.Q(status=WaitingStatus.WAITING),
                name="waiting_entries_in_order",
            ),
            # The periodic run's: offers out (to close), performances with entries waiting.
            models.Index(fields=["status", "performance"], name="waiting_entries_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.email} x {self.quantity}"
