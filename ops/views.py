import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sandali.tokens import token_matches_plain


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
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.SANDALI_METRICS_ALLOWED_NETWORKS)
