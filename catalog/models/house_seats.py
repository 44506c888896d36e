"""House seats: seats held back from the public sale for a named channel ("sponsors",
"house", "press"), kept beside the seats rather than on them.

A held-back seat IS a blocked seat (Seat.status says so, and every count and every buyer's
read treats it as one); this row only says for whom. The row stays while the channel's seat
is at the box office desk in a hold or sold there, so that a seat the desk gives back (a hold
released or expired, a ticket cancelled) goes back to the channel, never to the public; only
"release to public" (catalog/house_seats.py) removes the rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.performances import Performance, Seat


class HeldBackSeat(models.Model):
    # The seat is the key: a seat is held back for one channel at most, and the table has no
    # `id` column, so the rule "not held back" can be written as one correlated `NOT EXISTS`
    # that names the seat's own `id` whatever the seat table is called in the query
    # (catalog/seat_statements.py).
    seat = models.OneToOneField(
        Seat,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="held_back",
        verbose_name=_("seat"),
    )
    performance = models.ForeignKey(
        Performance,
        on_delete=models.CASCADE,
        related_name="held_back_seats",
        verbose_name=_("performance"),
    )
    channel = models.CharField(_("channel"), max_length=40)
    held_at = models.DateTimeField(_("held back at"))
    held_by = models.CharField(_("held back by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("held-back seat")
        verbose_name_plural = _("held-back seats")
        indexes = [models.Index(fields=["performance", "channel"], name="heldback_channel")]

    def __str__(self) -> str:
        return f"{self.seat_id} ({self.channel})"
