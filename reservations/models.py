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
