"""When a request arrived, as the proxy in front saw it.

In a surge, requests wait for the app in the proxy's and the server's queues, for seconds and
in no strict order. The waiting room places each buyer by when they arrived
(reservations/queue_store.py), so it reads the moment the proxy received the request from a
header the proxy sets: nginx's `proxy_set_header X-Request-Start "t=${msec}"`
(deploy/nginx/sandali.conf), the convention New Relic and Heroku use.

The header is believed only when the deployment names it (SANDALI_ARRIVAL_HEADER), because
only a proxy that replaces whatever the client sent makes it trustworthy; a client that could
set it would give itself the front of the queue. Even then a stamp is taken only within
MAX_AGE_MS before now and never after now.
"""

import math
import time

from django.conf import settings
from django.http import HttpRequest

MAX_AGE_MS = 300_000  # longer than any proxy waits for the app (proxy_read_timeout)


def stamp_ms(value: str) -> int | None:
    """Milliseconds since the epoch from "t=1764430000.123" (seconds, nginx's $msec), or the
    same in milliseconds or microseconds; None if it is none of these."""
    text = value.strip().removeprefix("t=")
    if not text or len(text) > 24:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if not (math.isfinite(number) and number > 0):  # NaN, inf, 1e400: no moment
        return None
    if number < 1e11:  # seconds (until the year 5138)
        return int(number * 1000)
    if number < 1e14:  # milliseconds
        return int(number)
    return int(number / 1000)  # microseconds


def arrival_ms(request: HttpRequest, *, now_ms: int | None = None) -> int | None:
    """When the proxy received `request`, if the deployment trusts a header for it and the
    stamp is plausible; else None (the caller uses its own clock)."""
    header = settings.SANDALI_ARRIVAL_HEADER
    if not header:
        return None
    value = request.headers.get(header)
    stamp = stamp_ms(value) if value else None
    if stamp is None:
        return None
    now_ms = now_ms or int(time.time() * 1000)
    return min(stamp, now_ms) if stamp >= now_ms - MAX_AGE_MS else None


def waited_ms(request: HttpRequest) -> int | None:
    """How long `request` waited between the proxy and the app, if the proxy stamped it."""
    now_ms = int(time.time() * 1000)
    arrived = arrival_ms(request, now_ms=now_ms)
    return None if arrived is None else now_ms - arrived
