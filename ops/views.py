import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from core.limits import client_ip
from core.tokens import token_matches_plain
from ops import metrics as _computed_gauges  # noqa: F401 - registers them for the scrape


def metrics(request):
    """Prometheus text format, for a bearer of SANDALI_METRICS_TOKEN or a client address in
    SANDALI_METRICS_ALLOWED_NETWORKS."""
    if not _allowed(request):
        return HttpResponseForbidden("metrics: not allowed\n")
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)


def _allowed(request) -> bool:
    token = settings.SANDALI_METRICS_TOKEN
    authorization = request.headers.get("Authorization", "")
    if token and authorization.startswith("Bearer "):
        return token_matches_plain(authorization.removeprefix("Bearer "), token)
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    if forwarded and not settings.SANDALI_TRUSTED_PROXIES:
        # A proxy on this host would make every outside client look like loopback: a request
        # that came through a proxy nobody declared is not trusted by its address.
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in settings.SANDALI_METRICS_ALLOWED_NETWORKS)
