"""Orders and tickets: what a checkout turns a hold into."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PAID = "paid", _("paid")
    CANCELLED = "cancelled", _("cancelled")


class Order(models.Model):
    performance = models.ForeignKey(
        "catalog.Performance",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("performance"),
    )
    # One order per hold, whatever the idempotency key: a second checkout of the same hold
    # is refused by the database as well as by the service.
    hold = models.OneToOneField(
        "reservations.Hold", on_delete=models.PROTECT, related_name="order", verbose_name=_("hold")
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    token_hash = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PAID
    )
    payment_reference = models.CharField(_("payment reference"), max_length=200)
    refund_reference = models.CharField(_("refund reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=OrderStatus.PAID, cancelled_at__isnull=True)
                | Q(status=OrderStatus.CANCELLED, cancelled_at__isnull=False),
                name="order_cancelled_has_time",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"


class Ticket(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("order")
    )
    seat = models.ForeignKey(
        "catalog.Seat", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("seat")
    )
    ticket_type = models.ForeignKey(
        "catalog.TicketType", on_delete=models.PROTECT, verbose_name=_("ticket type")
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    code = models.CharField(_("code"), max_length=40, unique=True)
    valid = models.BooleanField(_("valid"), default=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            # The second guard against selling a seat twice: one valid ticket per seat.
            models.UniqueConstraint(
                fields=["seat"], condition=Q(valid=True), name="one_valid_ticket_per_seat"
            )
        ]

    def __str__(self) -> str:
        return self.code
