"""A lean path for the seat map's reloads (GET /api/v1/performances/{id}/seats).

Why it exists: in a rush every buyer reloads the map before each try, about as many requests
as holds, and most are answered from the process's copy of the snapshot, often with a 304.
Through granian and Django's whole stack (thirteen middleware, URL resolving, Django Ninja's
operation) a 304 cost 0.71 ms of the process's CPU; on this path it costs 0.54 ms
(docs/benchmarks.md, "The map's reload in front of Django"). This WSGI wrapper answers it
with the view's own function (api/v1.py, `seat_map_response`) and the response headers of
Django's middleware (api/lean_path.py), so the answer is the same, byte for byte
(tests/api/test_map_lean.py).

Django answers anything else, and anything unusual about these: a query other than nothing,
`format=rows` or `format=columns`, a declared body, an Origin header, a host Django refuses.
An error met on the way (an unknown performance, the database or the cache down) is raised
in the view by Django, which renders it (404 problem+json in the request's language, 503),
without reading the map a second time (api/lean_path.py).
"""

import re
import time

from django.utils import translation

from api.lean_path import LeanPath
from api.v1 import seat_map_response

MAP_PATH = re.compile(r"/api/v1/performances/([1-9][0-9]{0,17})/seats")  # < 2**63
FORMATS = {"": "rows", "format=rows": "rows", "format=columns": "columns"}


class SeatMapLeanPath(LeanPath):
    """WSGI middleware: the lean path for the seat map, Django for everything else."""

    def serves(self, environ) -> bool:
        # A GET that declares a body is Django's to refuse (413 past the limit, api/middleware.py).
        has_body = environ.get("CONTENT_LENGTH", "") not in ("", "0")
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and environ.get("QUERY_STRING", "") in FORMATS
            and MAP_PATH.fullmatch(environ.get("PATH_INFO", "")) is not None
            and not has_body
            and "HTTP_TRANSFER_ENCODING" not in environ
        )

    def lean_answer(self, environ, start_response):
        started = time.perf_counter()
        request = self.admit(environ)
        if request is None:
            return self.hand_on(environ)
        performance_id = int(MAP_PATH.fullmatch(request.path_info).group(1))
        format = FORMATS[environ.get("QUERY_STRING", "")]
        with translation.override(None):
            self.locale.process_request(request)
            try:
                response = seat_map_response(request, performance_id=performance_id, format=format)
            except Exception as refusal:  # noqa: BLE001 - Django renders it, as it always did
                return self.hand_on(environ, refusal)
            return self.send(request, response, start_response, started=started, kind="map")
