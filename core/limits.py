"""Abuse limits enforced by the server: fixed-window request rates per client, kept in Django's
cache so that with REDIS_URL every app process shares them.

A limit is "COUNT/SECONDS" (e.g. "30/60"); an empty setting turns it off (the benchmark does).
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.errors import PERSIAN_DIGITS, DomainError

UNKNOWN_CLIENT = "unknown"


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    title = _("Too many requests. Please wait %(retry_after)s seconds and try again.")

    @property
    def retry_after(self) -> int:
        return self.details["retry_after"]

    @property
    def message(self) -> str:
        """Seconds for a short wait; minutes for a long one ("wait 1575 seconds" is no help)."""
        if self.retry_after < 120:
            return super().message
        text = str(WAIT_MINUTES) % {"minutes": math.ceil(self.retry_after / 60)}
        return text.translate(PERSIAN_DIGITS) if (get_language() or "").startswith("fa") else text


WAIT_MINUTES = _("Too many requests. Please try again in %(minutes)s minutes.")


def client_address(request: HttpRequest) -> str:
    """The client of an HTTP request as the abuse limits count it (see address_from)."""
    return address_from(
        request.META.get("REMOTE_ADDR", ""), request.headers.get("X-Forwarded-For", "")
    )


def client_ip(request: HttpRequest) -> str:
    """The client's own IP address, not widened to its network ("" when there is none)."""
    return peer_address(
        request.META.get("REMOTE_ADDR", ""), request.headers.get("X-Forwarded-For", "")
    )


def address_from(remote_addr: str, forwarded_for: str) -> str:
    """The client, for a request or a socket: its address (an IPv6 client counts as its /64).
    A server that sees no address (gunicorn on a Unix socket) gives "unknown": every such
    client counts as one, so the limits hold rather than fall away."""
    address = peer_address(remote_addr, forwarded_for)
    return _client_network(address) if address else UNKNOWN_CLIENT


def peer_address(remote_addr: str, forwarded_for: str) -> str:
    """The peer's address, or, behind SANDALI_TRUSTED_PROXIES proxies, the address those
    proxies appended to X-Forwarded-For (never one the client could forge)."""
    proxies = settings.SANDALI_TRUSTED_PROXIES
    address = remote_addr
    if proxies and forwarded_for:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return address


def _client_network(address: str) -> str:
    """An IPv6 client usually has a whole /64 to pick addresses from: count it as one."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and not parsed.ipv4_mapped:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def count_in_window(key: str, *, seconds: int) -> int:
    """Add one to the counter `key` in Django's cache, which lives `seconds` from its first
    count, and return it. With Redis, one round trip (core/redis_outage.py); otherwise add()
    then incr(), which are atomic in the local memory cache too."""
    counter = getattr(cache, "count_in_window", None)
    if counter is not None:
        return counter(key, seconds=seconds)
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def rate_limited(scope: str) -> bool:
    """Whether SANDALI_RATE_LIMITS sets a limit for `scope` (empty turns one off)."""
    return bool(settings.SANDALI_RATE_LIMITS.get(scope, ""))


def check_rate(scope: str, key: str) -> None:
    """Count one request of `key` (an address, a hold) in `scope`; raise RateLimited past the
    limit configured for the scope in SANDALI_RATE_LIMITS."""
    limit = settings.SANDALI_RATE_LIMITS.get(scope, "")
    if not limit or not key:
        return
    count, seconds = (int(part) for part in limit.split("/"))
    window = int(time.time() // seconds)
    used = count_in_window(f"rate:{scope}:{key}:{window}", seconds=seconds + 1)
    if used > count:
        retry_after = max(1, int((window + 1) * seconds - time.time()))
        raise RateLimited(retry_after=retry_after)
