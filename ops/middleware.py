import time

from ops.metrics import REQUEST_SECONDS


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
