"""Orders and tickets: what a checkout turns a hold into."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PAID = "paid", _("paid")
    CANCELLED = "cancelled", _("cancelled")


class DeskMethod(models.TextChoices):
    """How an order sold at the box office desk was paid (backoffice/box_office.py); an order
    a buyer paid online has none."""

    CASH = "cash", _("cash")
    CARD = "card", _("card terminal")
    COMPLIMENTARY = "comp", _("complimentary")


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
    # The buyer's language at checkout ("en", "fa"): the order's mails are written in it.
    language = models.CharField(_("language"), max_length=8, default="en", db_default="en")
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PAID
    )
    payment_reference = models.CharField(_("payment reference"), max_length=200)
    refund_reference = models.CharField(_("refund reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The box office desk's sale (backoffice/box_office.py): "" for an order paid online. Kept
    # apart from the payment fields, which the online providers own.
    desk_method = models.CharField(
        _("desk payment"), max_length=4, choices=DeskMethod.choices, blank=True, db_default=""
    )
    sold_by = models.CharField(_("sold by"), max_length=150, blank=True, db_default="")
    # The card terminal's slip reference, or why a complimentary order was given.
    desk_note = models.CharField(_("desk note"), max_length=200, blank=True, db_default="")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [("sell_at_desk", _("Can sell tickets at the box office desk"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=OrderStatus.PAID, cancelled_at__isnull=True)
                | Q(status=OrderStatus.CANCELLED, cancelled_at__isnull=False),
                name="order_cancelled_has_time",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            # A desk sale names who sold it; a complimentary one says why, and costs nothing.
            models.CheckConstraint(
                condition=Q(desk_method="") | ~Q(sold_by=""), name="desk_sale_has_seller"
            ),
            models.CheckConstraint(
                condition=~Q(desk_method=DeskMethod.COMPLIMENTARY) | ~Q(desk_note="") & Q(total=0),
                name="complimentary_has_reason",
            ),
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


class OrderAccessLink(models.Model):
    """A link that opens one order's tickets on any device (sent in its e-mails). Only the
    secret's hash is kept; the secret is good for viewing the tickets and nothing else (not
    the API, not a cancellation), until revoked."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="access_links", verbose_name=_("order")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    last_opened_at = models.DateTimeField(_("last opened at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")

    def __str__(self) -> str:
        return f"ticket link {self.pk} of order {self.order_id}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("pending")  # recorded; the provider may not have answered yet
    PAID = "paid", _("paid")  # approved, and its order made
    DECLINED = "declined", _("declined")
    REFUNDING = "refunding", _("refunding")  # approved, but the seats were lost: money back
    REFUNDED = "refunded", _("refunded")
    VOIDED = "voided", _("voided")  # cut short before the provider ever received it


class RefundReason(models.TextChoices):
    HOLD_EXPIRED = "hold_expired", _("the hold expired or was released while paying")
    HOLD_CHANGED = "hold_changed", _("the hold's seats changed while paying")


class PaymentAttempt(models.Model):
    """One checkout's payment, recorded before the provider is asked (two-phase payment).

    Whatever happens after it is recorded (the process killed, the database restarted, the
    provider slow), the attempt ends as an order (paid), a decline, or a refund; the sweeper
    settles attempts left pending (orders/recovery.py). Its status moves only through
    orders/payment_states.py, along the transitions table there. It keeps what the order needs (the
    buyer's details and the order token's hash) so that the sweeper can make that order."""

    hold = models.ForeignKey(
        "reservations.Hold",
        on_delete=models.PROTECT,
        related_name="payment_attempts",
        verbose_name=_("hold"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    order_token_hash = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # The buyer's language at checkout, which the order made from this attempt takes.
    language = models.CharField(_("language"), max_length=8, default="en", db_default="en")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    seat_count = models.PositiveIntegerField(_("seats"))
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices)
    # A declined payment may be tried again with the same key: each try is its own charge.
    tries = models.PositiveSmallIntegerField(_("tries"), default=1)
    provider_reference = models.CharField(_("payment reference"), max_length=200, blank=True)
    refund_reference = models.CharField(_("refund reference"), max_length=200, blank=True)
    refund_reason = models.CharField(
        _("refund reason"), max_length=20, choices=RefundReason.choices, blank=True
    )
    order = models.OneToOneField(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
        verbose_name=_("order"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        constraints = [
            models.UniqueConstraint(fields=["hold", "idempotency_key"], name="one_attempt_per_key"),
            # One payment in flight per hold: two keys can never both charge for the same seats.
            models.UniqueConstraint(
                fields=["hold"],
                condition=Q(status=PaymentStatus.PENDING),
                name="one_pending_attempt_per_hold",
            ),
            models.CheckConstraint(
                condition=Q(status=PaymentStatus.PAID, order__isnull=False)
                | ~Q(status=PaymentStatus.PAID) & Q(order__isnull=True),
                name="payment_paid_has_order",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PaymentStatus.REFUNDING, PaymentStatus.REFUNDED])
                | ~Q(refund_reason=""),
                name="payment_refund_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["updated_at"],
                condition=Q(status__in=[PaymentStatus.PENDING, PaymentStatus.REFUNDING]),
                name="payment_unsettled",
            )
        ]

    def __str__(self) -> str:
        return f"payment {self.pk}"

    @property
    def provider_key(self) -> str:
        """The provider's idempotency key: the same checkout key on the same hold is the same
        charge, however often it is sent, until a decline starts the next try."""
        return f"hold-{self.hold_id}-{self.idempotency_key}-{self.tries}"


class GatewayVisit(models.Model):
    """One try of a payment attempt sent to the provider's hosted page (orders/redirect.py):
    the provider's reference of that payment, where the buyer was sent, and until when the
    hold is kept for them. Kept for every try, so that a payment the provider completes for an
    older try (or for an attempt the sweeper voided) is found and refunded."""

    attempt = models.ForeignKey(
        PaymentAttempt,
        on_delete=models.PROTECT,
        related_name="gateway_visits",
        verbose_name=_("payment attempt"),
    )
    tries = models.PositiveSmallIntegerField(_("try"))
    provider_key = models.CharField(max_length=300, unique=True)
    reference = models.CharField(_("payment reference"), max_length=200, unique=True)
    url = models.URLField(max_length=1000)
    # The hold is kept until then; after it (and SANDALI_PAYMENT_RECOVERY_SECONDS) the sweeper
    # ends the visit at the provider.
    until = models.DateTimeField(_("until"))
    # What this try asked for: a payment that arrives late is refunded by its own amount, not
    # by the attempt's (a later try of the same attempt may be for fewer seats).
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True)
    # The provider's payment that this try's own settlement took (its order or its refund):
    # delivered again later, when the attempt has moved on to another try, it is not late.
    accounted_reference = models.CharField(max_length=200, blank=True, default="")
    # A payment that arrived for a try that had ended (voided, or tried again): refunded.
    late_refund_reference = models.CharField(_("refund reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    # When the sweeper ended the visit at the provider after its try had ended (orders/
    # visit_closing.py): nothing can be paid there any more, so it is never asked again.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment page visit")
        verbose_name_plural = _("payment page visits")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "tries"], name="one_visit_per_try"),
        ]
        indexes = [
            # The sweeper's look for visits not yet closed at the provider (few at any time).
            models.Index(fields=["id"], condition=Q(closed_at__isnull=True), name="visit_open"),
        ]

    def __str__(self) -> str:
        return self.reference


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("confirmation")  # the order is paid: its tickets
    CANCELLATION = "cancellation", _("cancellation")  # the order was cancelled and refunded
    RESEND = "resend", _("tickets sent again")  # asked for again; any number per order
    CHANGED = "changed", _("order changed")  # staff moved or cancelled some of its tickets
    # A payment approved after its hold lost its seats, refunded: no order, so no tickets.
    PAYMENT_REFUNDED = "refunded", _("payment refunded")
    # Waiting list (orders/waiting_list.py): seats held for an entry, with its link.
    WAITING_OFFER = "offer", _("waiting list offer")


class MailStatus(models.TextChoices):
    PENDING = "pending", _("pending")  # to be sent at next_attempt_at
    SENDING = "sending", _("sending")  # claimed by a worker until next_attempt_at (its lease)
    SENT = "sent", _("sent")  # the mail server accepted it
    FAILED = "failed", _("failed")  # the mail server refused the address for good (5xx)


# Kinds an order has at most one of, ever.
ONCE_PER_ORDER = [MailKind.CONFIRMATION, MailKind.CANCELLATION]


class OrderMail(models.Model):
    """A mail to a buyer, recorded in the transaction that makes it due (the outbox:
    orders/outbox.py), and sent after commit by a task, tried again until the mail server
    takes it. Its id is made before the row, so that its task can be enqueued with it. It is
    about an order, or about a payment that never became one (refunded)."""

    id = models.UUIDField(primary_key=True)
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("order"),
    )
    payment_attempt = models.ForeignKey(
        "PaymentAttempt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("payment attempt"),
    )
    # A late payment's refund (orders/redirect.py _refund_late): the visit whose payment it was.
    gateway_visit = models.ForeignKey(
        GatewayVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("payment page visit"),
    )
    # Waiting list: the entry whose offer it announces (no order yet).
    waiting_entry = models.ForeignKey(
        "reservations.WaitingEntry",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("waiting list entry"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MailKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=MailStatus.choices, default=MailStatus.PENDING
    )
    # Claims so far (tries to send); a claim is fenced by it: only the worker that claimed try
    # N may record its outcome, so a worker slower than its lease cannot undo a later try.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Pending: when it is due. Sending: when the claim's lease ends (its worker is taken to
    # have died, and another may claim it).
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    # The task that will try it next; the sweeper enqueues another when that one is gone.
    task_id = models.UUIDField(_("task"), null=True, blank=True)
    # Stable for every try, so that a receiver drops a copy sent twice (outbox.py says when).
    message_id = models.CharField(_("Message-ID"), max_length=250)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order mail")
        verbose_name_plural = _("order mails")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind__in=ONCE_PER_ORDER),
                name="one_mail_of_a_kind_per_order",
            ),
            # A late payment is refunded once, and its buyer told once.
            models.UniqueConstraint(
                fields=["gateway_visit"],
                condition=Q(gateway_visit__isnull=False),
                name="one_mail_per_late_refund",
            ),
            models.CheckConstraint(
                condition=Q(order__isnull=False)
                | Q(payment_attempt__isnull=False)
                | Q(waiting_entry__isnull=False),
                name="mail_is_about_an_order_a_payment_or_an_entry",
            ),
            models.CheckConstraint(
                condition=Q(status=MailStatus.SENT, sent_at__isnull=False)
                | ~Q(status=MailStatus.SENT) & Q(sent_at__isnull=True),
                name="mail_sent_has_time",
            ),
        ]
        indexes = [
            # The sweeper's look for mails whose task was lost (rescue_mails).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[MailStatus.PENDING, MailStatus.SENDING]),
                name="mail_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} mail of order {self.order_id}"


class OrderChange(models.TextChoices):
    CANCELLED = "cancelled", _("cancelled and refunded")
    TICKET_MOVED = "ticket_moved", _("ticket moved to another seat")
    TICKETS_CANCELLED = "tickets_cancelled", _("tickets cancelled and refunded")
    TICKETS_RESENT = "tickets_resent", _("tickets sent again")
    LINKS_REVOKED = "links_revoked", _("ticket links revoked")
    SOLD_AT_DESK = "sold_at_desk", _("sold at the box office desk")


class OrderEvent(models.Model):
    """One entry of an order's history (orders/history.py): who changed it, when, what."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="history", verbose_name=_("order")
    )
    at = models.DateTimeField(_("at"))
    actor = models.CharField(_("by"), max_length=150, blank=True)  # a username; "" = Sandali
    change = models.CharField(_("change"), max_length=20, choices=OrderChange.choices)
    # What changed, as data (seat labels, ticket codes), worded in the reader's language.
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        verbose_name = _("order history entry")
        verbose_name_plural = _("order history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="order_history")]

    def __str__(self) -> str:
        return f"{self.change} of order {self.order_id}"
