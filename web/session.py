"""What the pages' server-side session grants this browser: its hold per performance and the
orders it paid for.

The session keeps no token. A hold made by the pages gets a token derived from a random seed
with the server's SECRET_KEY (HMAC); the session keeps the seed, and each request derives the
token again. An order's token is derived from its hold's token and the checkout's key
(orders.selectors.order_token); the session keeps the seed and the key. So a reader of the
session table, without SECRET_KEY, can compute no token that opens a hold or an order through
the API. Entries written before (with a raw "token") are forgotten when read.

The session id changes (cycle_key) whenever the session comes to grant more: a new hold, a
paid order. A session cookie that somebody planted in, or read from, the browser before then
opens nothing new. The old session row is deleted at once, so a request still carrying the old
cookie finds an empty session: the seat map sends its selection requests one at a time, across
tabs too, and the checkout form is sent once, under the same lock (seatmap.js, checkout.js);
only a new hold rotates (adding seats to it does not).
"""

import secrets
from dataclasses import dataclass

from django.http import HttpRequest

from core.tokens import derived_token
from orders.selectors import order_token

SESSION_HOLDS = "holds"
SESSION_ORDERS = "orders"
SESSION_LINKS = "order_links"


def hold_token(seed: str) -> str:
    return derived_token(seed, purpose="web-hold")


@dataclass(frozen=True)
class SessionHold:
    """A hold of this session: its id and the seed its token is derived from."""

    id: int
    seed: str

    @property
    def token(self) -> str:
        return hold_token(self.seed)


def new_hold_seed() -> str:
    return secrets.token_urlsafe(32)


def session_hold(request: HttpRequest, performance_id: int) -> SessionHold | None:
    entry = _holds(request).get(str(performance_id))
    return SessionHold(id=entry["id"], seed=entry["seed"]) if entry else None


def remember_hold(request: HttpRequest, performance_id: int, hold: SessionHold) -> None:
    holds = _holds(request)
    holds[str(performance_id)] = {"id": hold.id, "seed": hold.seed}
    request.session[SESSION_HOLDS] = holds
    _rotate(request)


def checkout_key(request: HttpRequest, performance_id: int) -> str:
    """The Idempotency-Key of this session's checkout of its hold, made once: a checkout sent
    again (a reload, a lost answer, a retry after an error) is the same checkout, so it
    finishes the first one and never pays twice."""
    holds = _holds(request)
    entry = holds[str(performance_id)]
    if "checkout_key" not in entry:
        entry["checkout_key"] = secrets.token_hex(16)
        request.session[SESSION_HOLDS] = holds
    return entry["checkout_key"]


def existing_checkout_key(request: HttpRequest, performance_id: int) -> str | None:
    """The checkout key of this session's hold, if a checkout was started (none is made)."""
    entry = _holds(request).get(str(performance_id))
    return entry.get("checkout_key") if entry else None


def forget_hold(request: HttpRequest, performance_id: int) -> None:
    holds = _holds(request)
    if holds.pop(str(performance_id), None) is not None:
        request.session[SESSION_HOLDS] = holds


def remember_order(
    request: HttpRequest, order_id: int, *, hold: SessionHold, idempotency_key: str
) -> None:
    """The order paid for by checking out `hold` with `idempotency_key`: enough to derive its
    token again, and not the token."""
    orders = _orders(request)
    orders[str(order_id)] = {"seed": hold.seed, "key": idempotency_key}
    request.session[SESSION_ORDERS] = orders
    _rotate(request)


def session_order_ids(request: HttpRequest) -> list[int]:
    return [int(order_id) for order_id in _orders(request)]


def session_order_token(request: HttpRequest, order_id: int) -> str | None:
    entry = _orders(request).get(str(order_id))
    if entry is None:
        return None
    return order_token(hold_token=hold_token(entry["seed"]), idempotency_key=entry["key"])


def remember_order_link(request: HttpRequest, order_id: int, link_id: int) -> None:
    """The order a ticket link opened in this browser: the link's id, never its secret, so the
    grant ends when the organizer revokes the link."""
    links = request.session.get(SESSION_LINKS, {})
    links[str(order_id)] = link_id
    request.session[SESSION_LINKS] = links
    _rotate(request)


def session_order_link(request: HttpRequest, order_id: int) -> int | None:
    link_id = request.session.get(SESSION_LINKS, {}).get(str(order_id))
    return link_id if isinstance(link_id, int) else None


def _holds(request: HttpRequest) -> dict:
    return _current_entries(request, SESSION_HOLDS, fields={"id", "seed"})


def _orders(request: HttpRequest) -> dict:
    return _current_entries(request, SESSION_ORDERS, fields={"seed", "key"})


def _current_entries(request: HttpRequest, name: str, *, fields: set[str]) -> dict:
    """The session's entries under `name`, without those of an older form (a raw token, which
    must not stay in the session table): those are dropped, and the buyer chooses again."""
    entries = request.session.get(name, {})
    current = {
        key: entry
        for key, entry in entries.items()
        if isinstance(entry, dict) and fields <= entry.keys() and "token" not in entry
    }
    if len(current) != len(entries):
        request.session[name] = current
    return current


def _rotate(request: HttpRequest) -> None:
    """A new session id for what the session now grants. A session without a row yet gets a
    fresh id when it is saved anyway, so only an existing one is cycled."""
    if request.session.session_key is not None:
        request.session.cycle_key()
