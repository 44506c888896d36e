"""The WSGI application (the HTTP API in production: granian with blocking threads, or gunicorn
with threaded workers)."""

import io
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandali.settings")


class ChunkedBodies:
    """gunicorn and granian pass a chunked request body on with no CONTENT_LENGTH, and Django
    then reads it as empty. Read it here, at most one byte past DATA_UPLOAD_MAX_MEMORY_SIZE,
    and hand it on with its length: Django parses it, or the API refuses it with 413
    (api/middleware.py)."""

    def __init__(self, application, limit: int | None):
        self.application = application
        self.limit = limit

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            stream = environ["wsgi.input"]
            body = stream.read() if self.limit is None else stream.read(self.limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)


# What a server sets for each request, whatever the process environment holds: never dropped.
# (gunicorn itself takes SCRIPT_NAME from the environment, to serve under a URL prefix.)
REQUEST_KEYS = frozenset(
    {"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "GATEWAY_INTERFACE",
     "AUTH_TYPE", "HTTPS", "REQUEST_URI", "RAW_URI"}
)  # fmt: skip
REQUEST_KEY_PREFIXES = ("SERVER_", "REMOTE_", "CONTENT_", "wsgi.")


class WithoutProcessEnvironment:
    """granian copies the server process's environment into every request's environ, where
    Django would keep it in request.META: DATABASE_URL with its password, DJANGO_SECRET_KEY,
    and whatever else the process was given, one error report away from a log or a page
    (gunicorn passes none of it). Drop every variable that is the process's own, by name and
    value, so a request header that happens to share a name (HTTP_PROXY) is still the
    request's; the keys a server sets for the request itself are never dropped."""

    def __init__(self, application):
        self.application = application
        # A plain copy: os.environ encodes and decodes on every read, which per request and
        # variable cost about 5 % of the app's Python CPU in the rush. The environment the
        # process started with is what granian copies.
        self.process = {
            name: value
            for name, value in os.environ.items()
            if name not in REQUEST_KEYS and not name.startswith(REQUEST_KEY_PREFIXES)
        }

    def __call__(self, environ, start_response):
        for name, value in self.process.items():
            if environ.get(name) == value:
                del environ[name]
        return self.application(environ, start_response)


django_application = get_wsgi_application()

from api.map_lean import SeatMapLeanPath  # noqa: E402 - needs the apps that the line above loads
from api.queue_lean import QueueLeanPath  # noqa: E402
from sandali.api_handler import ApiFirst, api_handler  # noqa: E402
from sandali.frozen_start import freeze_loaded_objects  # noqa: E402

# API requests skip the pages' middleware (sandali/api_handler.py); the waiting room's joins and
# polls, and the seat map's reloads, take lean paths in front of Django (api/queue_lean.py,
# api/map_lean.py).
served = django_application
if settings.SANDALI_API_OWN_MIDDLEWARE:
    served = ApiFirst(api=api_handler(), rest=served)
if settings.SANDALI_MAP_LEAN_PATH:
    served = SeatMapLeanPath(served)
if settings.SANDALI_QUEUE_LEAN_PATH:
    served = QueueLeanPath(served)
application = WithoutProcessEnvironment(ChunkedBodies(served, settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
freeze_loaded_objects()
