"""HTTP (Django) and WebSocket (Channels) in one ASGI application; static files are served
ahead of Django (core/staticfiles.py says why).

With SANDALI_SWEEPER_IN_PROCESS=1 (the local run command) the sweeper runs in a thread of this
process, so that with the in-process channel layer its changes reach this process's watchers;
with SANDALI_WORKER_IN_PROCESS=1 (the local run command too) the task worker that sends mail
runs in another (ops/worker.py), so that a laptop needs no other process.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandali.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from core.staticfiles import ASGIStaticFiles  # noqa: E402
from live.guard import SocketGuard  # noqa: E402
from live.routing import websocket_urlpatterns  # noqa: E402
from ops.sweeper import start_sweeper_thread  # noqa: E402
from ops.worker import start_worker_thread  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFiles(django_application),
        # Origins, sockets per client, and refusals while the channel layer is down.
        "websocket": SocketGuard(URLRouter(websocket_urlpatterns)),
    }
)

if os.environ.get("SANDALI_SWEEPER_IN_PROCESS") == "1":
    start_sweeper_thread()
if os.environ.get("SANDALI_WORKER_IN_PROCESS") == "1":
    start_worker_thread()
