import time

from csp.middleware import CSPMiddleware
from django.conf import settings
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


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's middleware, minus its work on the paths its policy excludes (the API, the
    admin): it builds the whole policy for every response before it looks at the path, about
    a tenth of the CPU of a map reload or a refused hold in the rush (docs/benchmarks.md). The
    headers are the same: none on those paths, the policy elsewhere."""

    def __init__(self, get_response):
        super().__init__(get_response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        # A report-only policy has prefixes of its own: with one, every path is built as before.
        self.excluded = (
            ()
            if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            else tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())
        )

    def process_response(self, request, response):
        if self.excluded and request.path_info.startswith(self.excluded):
            return response
        return super().process_response(request, response)
