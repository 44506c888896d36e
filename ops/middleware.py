import time

from django.db import InterfaceError, OperationalError

from core.metrics import REQUEST_SECONDS
from core.problems import service_unavailable


class RequestLatency:
    """Request latency by route pattern (not by URL, so ids do not multiply the series)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        route = match.route if match else "unmatched"
        REQUEST_SECONDS.labels(request.method, route, response.status_code).observe(
            time.perf_counter() - started
        )
        return response


class DatabaseUnavailable:
    """While the database is unreachable (a restart, a failover), answer 503 at once with a
    problem and Retry-After instead of a 500. Django closes the broken connection at the end
    of the request, so the next request reconnects by itself once the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return service_unavailable()
