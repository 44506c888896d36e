"""Who may open a live seat-map socket, and when; wraps the WebSocket router (sandali/asgi.py).

- **Origin.** A socket with no Origin (a client that is not a browser), with the Origin of the
  site itself (its host equals the socket's Host, which must be in ALLOWED_HOSTS), or with one
  listed in SANDALI_ALLOWED_ORIGINS is let through; any other Origin is refused at the
  handshake (HTTP 403), so that another site's pages cannot open sockets in a buyer's browser.
- **Sockets per client.** A client address (core.limits.address_from: the peer, or the
  X-Forwarded-For hop of SANDALI_TRUSTED_PROXIES) may keep SANDALI_MAX_SOCKETS_PER_CLIENT
  sockets open in this process; one more is accepted and closed at once with 4429.
- **Channel layer down** (live/health.py). A new socket is accepted and closed with 1013 (try
  again later); the page reconnects with backoff. A failure of Redis or of the database while
  a socket opens closes it the same way instead of answering 500.
"""

import logging
from collections import Counter
from contextlib import suppress

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import InterfaceError, OperationalError

from core.limits import address_from
from core.origins import origin_allowed
from core.redis_outage import REDIS_UNREACHABLE
from live.health import health

log = logging.getLogger(__name__)
TOO_MANY_SOCKETS = 4429
TRY_AGAIN_LATER = 1013
UNAVAILABLE = (*REDIS_UNREACHABLE, OperationalError, InterfaceError)


class SocketGuard:
    def __init__(self, app):
        self.app = app
        self.open_sockets: Counter[str] = Counter()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        health.watch(get_channel_layer())
        headers = {name.decode("latin-1"): value.decode("latin-1")
                   for name, value in scope.get("headers", [])}  # fmt: skip
        if not origin_allowed(headers.get("origin"), headers.get("host")):
            await send({"type": "websocket.close"})  # before accept: HTTP 403
            return None
        client = address_from((scope.get("client") or ("", 0))[0] or "",
                              headers.get("x-forwarded-for", ""))  # fmt: skip
        cap = settings.SANDALI_MAX_SOCKETS_PER_CLIENT
        if cap and self.open_sockets[client] >= cap:
            return await self._accept_and_close(receive, send, TOO_MANY_SOCKETS)
        if not health.up:
            return await self._accept_and_close(receive, send, TRY_AGAIN_LATER)
        self.open_sockets[client] += 1
        accepted = False

        async def tracking_send(message):
            nonlocal accepted
            accepted = accepted or message["type"] == "websocket.accept"
            await send(message)

        try:
            return await self.app(scope, receive, tracking_send)
        except UNAVAILABLE as error:
            log.warning("Live seat-map socket closed: %s", error)
            with suppress(Exception):  # the client may be gone already
                if not accepted:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
        finally:
            self.open_sockets[client] -= 1
            if self.open_sockets[client] <= 0:
                del self.open_sockets[client]

    @staticmethod
    async def _accept_and_close(receive, send, code: int) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": code})
