"""HTTP (Django) and WebSocket (Channels) in one ASGI application; static files are served
ahead of Django (core/staticfiles.py says why).

With SANDALI_WORKER_IN_PROCESS=1 (the local run command) the task worker runs in a thread of
this process, with the scheduler of the periodic tasks in another (ops/worker.py): a laptop
needs no other process to send mail and free expired holds, and with the in-process channel
layer the sweeper's changes reach this process's watchers.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandali.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from core.staticfiles import ASGIStaticFiles  # noqa: E402
from live.guard import SocketGuard  # noqa: E402
from live.routing import websocket_urlpatterns  # noqa: E402
from ops.worker import start_worker_thread  # noqa: E402
from sandali.frozen_start import freeze_loaded_objects  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFiles(django_application),
        # Origins, sockets per client, and refusals while the channel layer is down.
        "websocket": SocketGuard(URLRouter(websocket_urlpatterns)),
    }
)
# The HTTP views are loaded on first use only: nginx sends these processes only /ws/.
freeze_loaded_objects(load_views=False)

# SANDALI_SWEEPER_IN_PROCESS is its older name, from when the sweeper was a loop of its own.
in_process = {os.environ.get(f"SANDALI_{name}_IN_PROCESS") for name in ("WORKER", "SWEEPER")}
if "1" in in_process:
    start_worker_thread()
