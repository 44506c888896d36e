"""A lean path for the seat map's reloads (GET /api/v1/performances/{id}/seats).

Why it exists: in a rush every buyer reloads the map before each try, about as many requests
as holds, and most are answered from the process's copy of the snapshot, often with a 304.
Through Django's whole stack (thirteen middleware, URL resolving, Django Ninja's operation) a
304 cost 0.38 ms of the process's CPU, about three times the answer's own work
(docs/benchmarks.md, "The map's reload in front of Django"). This WSGI wrapper answers it
with the view's own function (api/v1.py, `seat_map_response`) and the response headers of
Django's middleware (api/lean_path.py), so the answer is the same, byte for byte
(tests/api/test_map_lean.py).

Django answers anything else, and anything unusual about these: a query other than nothing,
`format=rows` or `format=columns`, an Origin header, a host Django refuses, an unknown
performance (its 404 is Django's problem+json in the request's language), a database or
cache that fails.
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

    def __call__(self, environ, start_response):
        format = FORMATS.get(environ.get("QUERY_STRING", ""))
        match = MAP_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if environ.get("REQUEST_METHOD") != "GET" or match is None or format is None:
            return self.application(environ, start_response)
        started = time.perf_counter()
        request = self.admit(environ)
        if request is None:
            return self.application(environ, start_response)
        with translation.override(None):
            self.locale.process_request(request)
            try:
                response = seat_map_response(
                    request, performance_id=int(match.group(1)), format=format
                )
            except Exception:  # noqa: BLE001 - Django answers it (404, 503), as it always did
                return self.application(environ, start_response)
            return self.send(request, response, start_response, started=started, kind="map")
