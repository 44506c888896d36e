"""A lean path for the waiting room's two busiest requests: joining a queue
(POST /api/v1/performances/{id}/queue) and asking where a place stands (GET /api/v1/queue).

Why it exists: in a surge every arrival joins and then polls (20,000 arrivals in 20 s are
1,000 joins a second), and through Django's whole stack (thirteen middleware, URL resolving,
Django Ninja's operation) a join cost about five times what the queue's own work does
(docs/benchmarks.md, "Surge"). This WSGI wrapper, in front of Django (sandali/wsgi.py),
answers exactly these two requests itself, with the same service functions and the same body
builder as the API's views (api/queue.py), the same renderer as Ninja's,
and the response headers of the same middleware instances (X-Frame-Options, Content-Length,
the language's Content-Language and Vary, the security headers), so the answer is the same,
byte for byte (tests/api/test_queue_lean.py).

Anything else goes to Django untouched, and so does anything unusual about these two: a
body other than nothing or `{}`, an Origin header (the API's origin gate decides), a host
Django refuses, a redirect the security middleware would make. A refusal (a rate limit, no
queue, an unknown token, the store or the database down) is rendered by Django too: the
request goes on with the error in its environ and the view raises it before doing anything
(api/lean_path.py, `raise_lean_refusal`), so nothing is counted twice and problem+json comes out
in the request's language, as it always did.
"""

import io
import re
import time

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.utils import translation

from api import queue as queue_api
from api.lean_path import LeanPath

JOIN_PATH = re.compile(r"/api/v1/performances/([1-9][0-9]{0,17})/queue")  # < 2**63
POLL_PATH = "/api/v1/queue"
EMPTY_BODIES = (b"", b"{}")
BODY_MEDIA_TYPES = ("application/json",)


class QueueLeanPath(LeanPath):
    """WSGI middleware: the lean path for joins and polls, Django for everything else."""

    def serves(self, environ) -> bool:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        if method == "POST" and JOIN_PATH.fullmatch(path):
            return self._plain_body(environ)
        return method == "GET" and path == POLL_PATH

    def lean_answer(self, environ, start_response):
        started = time.perf_counter()
        request = self.admit(environ)
        if request is None:
            return self.hand_on(environ)
        match = JOIN_PATH.fullmatch(request.path_info)
        performance_id = int(match.group(1)) if match else None
        with translation.override(None):
            self.locale.process_request(request)
            try:
                status, body = self._answer(request, performance_id)
            except Exception as refusal:  # noqa: BLE001 - Django renders it, as it always did
                return self.hand_on(environ, refusal)
            response = self._response(request, status, body)
            kind = "poll" if performance_id is None else "join"
            return self.send(request, response, start_response, started=started, kind=kind)

    @staticmethod
    def _plain_body(environ) -> bool:
        """Whether a join's body is nothing or `{}` (what clients send): read it, and put it
        back for Django if it is anything else."""
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return False
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        if not length:
            return True
        if length > 16:
            return False
        media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return media_type in BODY_MEDIA_TYPES and body.strip() in EMPTY_BODIES

    @staticmethod
    def _answer(request: WSGIRequest, performance_id: int | None) -> tuple[int, dict]:
        if performance_id is not None:
            return 201, queue_api.join_answer(request, performance_id=performance_id)
        return 200, queue_api.place_answer(request)

    @staticmethod
    def _response(request: WSGIRequest, status: int, body: dict) -> HttpResponse:
        """The body as Ninja renders it (LeanPath.send adds the middleware's headers)."""
        from api.urls import api  # the API's renderer; imported late: it imports this layer's views

        # The body is rendered as built: QueueOut's fields, in its order, of the types it
        # declares (what Ninja's validation of it would give back; the tests compare bytes).
        content = api.renderer.render(request, body, response_status=status)
        return HttpResponse(content, status=status, content_type=api.get_content_type())
