"""The API's own Django handler in the WSGI application (sandali/wsgi.py): requests under
/api/v1/ skip the middleware that only the pages need.

Why: the API keeps no session and no user, takes no CSRF token (a bearer token, and
api/middleware.py refuses foreign origins), flashes no message, serves no static file and
carries no Content-Security-Policy (settings: the API's prefix is excluded). Yet every API
request went through all of that middleware, and in the 2,000-seat rush those layers were
about a tenth of the app processes' CPU (docs/benchmarks.md, "The API's own middleware").
The answers are the same either way: tests/deploy/test_api_handler.py compares them.

Everything else in settings.MIDDLEWARE, in its order, runs for the API too: a middleware
added there later runs on both chains unless it is named below.
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test.utils import override_settings

API_PREFIX = "/api/v1/"

# Middleware that does nothing for an API request but cost CPU on each one.
PAGE_ONLY_MIDDLEWARE = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: never under /api/v1/
        "ops.middleware.ContentSecurityPolicy",  # excludes /api/ (settings), after building
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",  # the API's views are all exempt
        "django.contrib.auth.middleware.AuthenticationMiddleware",  # needs the session
        "django.contrib.messages.middleware.MessageMiddleware",  # needs the session
    }
)


def api_middleware() -> list[str]:
    return [path for path in settings.MIDDLEWARE if path not in PAGE_ONLY_MIDDLEWARE]


def api_handler() -> WSGIHandler:
    """A Django WSGI handler whose chain is api_middleware(). Django builds a handler's chain
    from settings.MIDDLEWARE alone, once, when the handler is made: so it is made while the
    setting names the API's chain (override_settings, at import, before any request)."""
    with override_settings(MIDDLEWARE=api_middleware()):
        return WSGIHandler()


class ApiFirst:
    """Send requests under /api/v1/ to the API's handler, the rest to Django's own."""

    def __init__(self, *, api, rest):
        self.api = api
        self.rest = rest

    def __call__(self, environ, start_response):
        served = self.api if environ.get("PATH_INFO", "").startswith(API_PREFIX) else self.rest
        return served(environ, start_response)
