"""What the tests of the lean paths (api/queue_lean.py, api/map_lean.py) share: each request is
sent as WSGI (what granian and gunicorn call), through a lean path and through Django alone."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from sandali.wsgi import django_application


@pytest.fixture
def same_connection():
    """As Django's test client does: the test's transaction must outlive each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class DjangoSpy:
    """Django's application, counting the requests the lean path hands on."""

    def __init__(self):
        self.calls = []

    def __call__(self, environ, start_response):
        self.calls.append(environ)
        return django_application(environ, start_response)


def answer(application, environ) -> tuple[str, list, bytes]:
    """(status, headers, body) of one WSGI request."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(status=status, headers=headers)

    body = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], body


def lean_and_django(lean_path, build):
    """The answers of `lean_path` and of Django alone to the same request (`build()` makes it),
    and the requests the lean path handed to Django."""
    spy = DjangoSpy()
    lean = answer(lean_path(spy), build().environ)
    return lean, answer(django_application, build().environ), spy.calls
