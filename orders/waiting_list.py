"""The waiting list: buyers who found a performance (or a section x ticket type) sold out leave
an address and a quantity; seats that come free are offered to them in order, each offer a
hold reserved for the entry for SANDALI_WAITING_LIST_OFFER_MINUTES and a mail with a link.

- Joining (`join_waiting_list`) is allowed only while the kind asked for has no free seat, or
  others already wait for it. The same address joins once per performance: joining again
  updates the entry (quantity, kind, language) and keeps its place; while seats are offered
  to it, joining again is refused (AlreadyOffered).
- Offering (`serve_waiting_lists`, the periodic task that ops/periodic.py schedules every
  SANDALI_SWEEP_INTERVAL_SECONDS, never a buyer's request) first closes offers that ended (the
  hold checked out: BOUGHT; expired unanswered: EXPIRED), then, performance by performance,
  goes down the waiting entries in the order they joined and gives each the free seats of its
  kind, up to its quantity: fewer if fewer are free (the mail says how many; the buyer may
  take them or pass). Seats freed meanwhile are kept from the public while anybody waits for
  their kind (reservations/waiting_list.py), so nothing freed by a cancellation, a release or
  an expiry (lazy: a hold past its expiry is free to this run at once) is sold to the public
  before the list is served.
- The offer's link carries a secret (derived from the entry's `offer_seed` with SECRET_KEY;
  its SHA-256 finds the entry) in the URL's fragment. The page exchanges it at once for the
  browser's session, as its own hold (web/waiting_list.py): the hold's token is derived from
  the secret exactly as the pages derive a hold's token from their seed (`offer_hold_token`,
  tested against web/session.py), so the session keeps the secret as that seed and the
  ordinary checkout page sells the hold. Declining releases the hold and offers its seats to
  the next entry at once.

Lock order: the entry (SKIP LOCKED, so two runs never offer to one entry twice; each offer is
a transaction of its own) before the offer's hold and its seats (taken SKIP LOCKED by the
inventory); a decline or a removal locks its entry, then the hold through reservations'
release.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum

from catalog.errors import PerformanceNotFound, UnknownSeatChoice
from catalog.models import SectionTicketType
from catalog.selectors import sale_terms_now
from core.dbtime import db_now
from core.sql import is_id
from core.tasks import periodic_task
from core.tokens import derived_token, hash_token, new_token
from orders.models import MailKind
from orders.outbox import record_mail
from orders.waiting_list_errors import (
    AlreadyOffered,
    NotSoldOut,
    OfferExpired,
    OfferNotFound,
    WaitingEmailInvalid,
    WaitingQuantityOutOfRange,
)
from reservations.errors import AlreadyCheckedOut
from reservations.models import ON_THE_LIST, Hold, WaitingEntry, WaitingStatus
from reservations.services import release_hold
from reservations.waiting_list import free_seats_of_kind, hold_for_offer, waited_for_kinds

ENTRIES_PER_RUN = 200  # per performance and run: the next run goes on where this one stopped


def offer_secret(seed: str) -> str:
    """The link's secret: only the holder of SECRET_KEY computes it from the stored seed."""
    return derived_token(seed, purpose="waiting-list-offer")


def offer_hold_token(secret: str) -> str:
    """The offer hold's token: web/session.py's hold_token with the secret as the page's seed
    (a test checks they agree), so the browser that opens the link owns the hold."""
    return derived_token(secret, purpose="web-hold")


@dataclass(frozen=True)
class Joined:
    entry_id: int
    created: bool  # False: the address was on the list already, and its entry was updated
    position: int  # 1 for the first waiting entry of the performance


def join_waiting_list(
    *,
    performance_id: int,
    email: str,
    quantity: int,
    section_id: int | None = None,
    ticket_type_id: int | None = None,
    language: str = "fa",
) -> Joined:
    """Put the address on the performance's waiting list for `quantity` seats of the section x
    ticket type (both None: any seat), or update its entry."""
    if not is_id(performance_id):
        raise PerformanceNotFound()
    found = sale_terms_now(performance_id=performance_id)
    if found is None:
        raise PerformanceNotFound()
    terms, now = found
    if not isinstance(quantity, int) or not 1 <= quantity <= terms.max_seats_per_order:
        raise WaitingQuantityOutOfRange(limit=terms.max_seats_per_order)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise WaitingEmailInvalid() from None
    if (section_id is None) != (ticket_type_id is None) or (
        section_id is not None
        # Priced here: numbered seats or a standing area's places alike.
        and not SectionTicketType.objects.filter(
            section__performance_id=performance_id,
            section_id=section_id,
            ticket_type_id=ticket_type_id,
        ).exists()
    ):
        raise UnknownSeatChoice()
    kind = (section_id, ticket_type_id)
    if kind not in waited_for_kinds(performance_id=performance_id) and free_seats_of_kind(
        performance_id=performance_id,
        section_id=section_id,
        ticket_type_id=ticket_type_id,
        now=now,
        limit=1,
    ):
        raise NotSoldOut()
    fields = {
        "email": email,
        "quantity": quantity,
        "section_id": section_id,
        "ticket_type_id": ticket_type_id,
        "language": language[:8],
    }
    key = email.casefold()
    with transaction.atomic():
        entry = _entry_on_list(performance_id, key)
        created = entry is None
        if created:
            try:
                with transaction.atomic():
                    entry = WaitingEntry.objects.create(
                        performance_id=performance_id, email_key=key, created_at=now, **fields
                    )
            except IntegrityError:  # the same address joined at this very moment
                entry = _entry_on_list(performance_id, key)
                created = False
        if not created:
            if entry.status == WaitingStatus.OFFERED:
                raise AlreadyOffered()
            WaitingEntry.objects.filter(pk=entry.pk).update(**fields)
        ahead = WaitingEntry.objects.filter(
            Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk),
            performance_id=performance_id,
            status=WaitingStatus.WAITING,
        ).count()
    return Joined(entry_id=entry.pk, created=created, position=ahead + 1)


def _entry_on_list(performance_id: int, key: str) -> WaitingEntry | None:
    return (
        WaitingEntry.objects.select_for_update()
        .filter(performance_id=performance_id, email_key=key, status__in=ON_THE_LIST)
        .first()
    )


@dataclass(frozen=True)
class ServeRun:
    offered: int  # entries given an offer
    seats: int  # seats offered
    closed: int  # offers that ended (bought or expired)


@periodic_task
def serve_waiting_lists() -> int:
    """The periodic task: close ended offers, then offer free seats to the waiting entries of
    every performance that has any; returns how many entries got an offer."""
    return serve_all().offered


def serve_all() -> ServeRun:
    closed = close_ended_offers()
    offered = seats = 0
    performances = (
        WaitingEntry.objects.filter(status=WaitingStatus.WAITING)
        .values_list("performance_id", flat=True)
        .distinct()
    )
    for performance_id in list(performances):
        run = offer_seats(performance_id=performance_id)
        offered, seats = offered + run.offered, seats + run.seats
    return ServeRun(offered=offered, seats=seats, closed=closed)


def close_ended_offers() -> int:
    """Offers whose hold was checked out leave the list as BOUGHT; those whose hold expired
    unanswered, as EXPIRED (their seats are free, lazily, and go to the next entry)."""
    with transaction.atomic():
        now = db_now()
        offered = WaitingEntry.objects.filter(status=WaitingStatus.OFFERED)
        bought = offered.filter(hold__checked_out=True).update(
            status=WaitingStatus.BOUGHT, ended_at=now
        )
        expired = offered.filter(hold__checked_out=False, hold__expires_at__lte=now).update(
            status=WaitingStatus.EXPIRED, ended_at=now
        )
    return bought + expired


def offer_seats(*, performance_id: int) -> ServeRun:
    """Offer the performance's free seats to its waiting entries, first come first served,
    each offer in a short transaction of its own (a long one would keep buyers waiting on
    SQLite, whose writers take turns)."""
    offered = seats = 0
    waiting = WaitingEntry.objects.filter(
        performance_id=performance_id, status=WaitingStatus.WAITING
    ).order_by("created_at", "id")
    for entry_id in list(waiting.values_list("pk", flat=True)[:ENTRIES_PER_RUN]):
        outcome = _offer_to(entry_id)
        if outcome is _STOP:
            break
        if outcome:
            offered, seats = offered + 1, seats + outcome
    return ServeRun(offered=offered, seats=seats, closed=0)


_STOP = -1  # nothing more can be offered in this run


def _offer_to(entry_id: int) -> int:
    """Offer one entry the free seats of its kind: how many it was offered (0: none are free
    of its kind, go on with the next), or _STOP."""
    with transaction.atomic():
        # Locked, or left to the run that has it (SKIP LOCKED); still waiting?
        entry = (
            WaitingEntry.objects.select_for_update(skip_locked=True)
            .filter(pk=entry_id, status=WaitingStatus.WAITING)
            .first()
        )
        if entry is None:
            return 0
        now = db_now()
        free = free_seats_of_kind(
            performance_id=entry.performance_id,
            section_id=entry.section_id,
            ticket_type_id=entry.ticket_type_id,
            now=now,
            limit=entry.quantity,
        )
        if not free:
            # Nothing free at all: nobody after it can be served either.
            return _STOP if entry.section_id is None else 0
        seed = new_token()
        secret = offer_secret(seed)
        hold = hold_for_offer(
            performance_id=entry.performance_id,
            seat_ids=free,
            minutes=settings.SANDALI_WAITING_LIST_OFFER_MINUTES,
            token=offer_hold_token(secret),
            now=now,
        )
        if hold is None:  # a seat was being taken: the next run serves this entry first
            return _STOP
        WaitingEntry.objects.filter(pk=entry.pk).update(
            status=WaitingStatus.OFFERED,
            hold_id=hold.id,
            offered_at=now,
            offered_seats=len(hold.seats),
            offer_seed=seed,
            offer_token_hash=hash_token(secret),
        )
        record_mail(kind=MailKind.WAITING_OFFER, waiting_entry_id=entry.pk, now=now)
        return len(hold.seats)


@dataclass(frozen=True)
class OpenOffer:
    entry_id: int
    performance_id: int
    hold_id: int
    secret: str  # the page's session keeps it as its hold's seed


def open_offer(*, secret: str) -> OpenOffer:
    """The live offer a link's secret opens; OfferNotFound, or OfferExpired once its hold has
    expired (its seats then go to the next entry)."""
    entry = _offered_entry(secret)
    hold = Hold.objects.filter(pk=entry.hold_id).values("expires_at", "checked_out").first()
    if hold is None or hold["checked_out"]:
        raise OfferNotFound()
    if hold["expires_at"] <= db_now():
        raise OfferExpired()
    return OpenOffer(
        entry_id=entry.pk, performance_id=entry.performance_id, hold_id=entry.hold_id, secret=secret
    )


def decline_offer(*, secret: str) -> int:
    """The buyer passes: the entry leaves the list, its hold's seats are released and offered
    to the next entries at once; returns the performance's id."""
    with transaction.atomic():
        entry = _offered_entry(secret, for_update=True)
        _end(entry, WaitingStatus.DECLINED, token=offer_hold_token(secret))
    transaction.on_commit(lambda: offer_seats(performance_id=entry.performance_id))
    return entry.performance_id


def remove_entry(*, entry_id: int) -> bool:
    """Staff take an entry off the list (an offer's seats are released and offered to the
    next); False if it was not on the list."""
    with transaction.atomic():
        entry = (
            WaitingEntry.objects.select_for_update()
            .filter(pk=entry_id, status__in=ON_THE_LIST)
            .first()
        )
        if entry is None:
            return False
        token = offer_hold_token(offer_secret(entry.offer_seed)) if entry.offer_seed else None
        _end(entry, WaitingStatus.REMOVED, token=token)
    transaction.on_commit(lambda: offer_seats(performance_id=entry.performance_id))
    return True


def _end(entry: WaitingEntry, status: str, *, token: str | None) -> None:
    WaitingEntry.objects.filter(pk=entry.pk).update(status=status, ended_at=db_now())
    if entry.status == WaitingStatus.OFFERED and token is not None:
        try:
            release_hold(hold_id=entry.hold_id, token=token)
        except AlreadyCheckedOut:  # bought before the next run closed the offer: it stays so
            WaitingEntry.objects.filter(pk=entry.pk).update(status=WaitingStatus.BOUGHT)


def _offered_entry(secret: str, *, for_update: bool = False) -> WaitingEntry:
    if not secret or len(secret) > 200:
        raise OfferNotFound()
    entries = WaitingEntry.objects.filter(
        offer_token_hash=hash_token(secret), status=WaitingStatus.OFFERED
    )
    entry = (entries.select_for_update() if for_update else entries).first()
    if entry is None:
        raise OfferNotFound()
    return entry


@dataclass(frozen=True)
class WaitingCounts:
    waiting: int  # entries waiting for an offer
    seats_wanted: int  # the seats they ask for
    offers_out: int  # offers whose hold is not yet bought or expired
    offers_taken: int
    offers_expired: int
    declined: int


def waiting_counts(*, performance_id: int) -> WaitingCounts:
    """The organizer's figures, in one grouped query."""
    status = "status"
    row = WaitingEntry.objects.filter(performance_id=performance_id).aggregate(
        waiting=Count("id", filter=Q(**{status: WaitingStatus.WAITING})),
        seats_wanted=Sum("quantity", filter=Q(**{status: WaitingStatus.WAITING})),
        offers_out=Count("id", filter=Q(**{status: WaitingStatus.OFFERED})),
        offers_taken=Count("id", filter=Q(**{status: WaitingStatus.BOUGHT})),
        offers_expired=Count("id", filter=Q(**{status: WaitingStatus.EXPIRED})),
        declined=Count("id", filter=Q(**{status: WaitingStatus.DECLINED})),
    )
    return WaitingCounts(**{name: value or 0 for name, value in row.items()})


def offer_expires_at(*, entry: WaitingEntry) -> datetime | None:
    return Hold.objects.filter(pk=entry.hold_id).values_list("expires_at", flat=True).first()
