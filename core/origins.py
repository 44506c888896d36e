"""Which web sites' pages may act here: the rule for the API's state-changing requests and for
live seat-map sockets alike. A browser names the page's site in `Origin`; a client that is not
a browser sends none and is not a browser's victim."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """No Origin; one listed in SANDALI_ALLOWED_ORIGINS; or the site itself: the Origin's
    host is the request's Host, which must be one of ALLOWED_HOSTS ("null" never is)."""
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    if origin in {allowed.lower().rstrip("/") for allowed in settings.SANDALI_ALLOWED_ORIGINS}:
        return True
    parts = urlsplit(origin)
    if not host or parts.scheme not in ("http", "https") or parts.netloc != host.lower():
        return False
    domain, _port = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:  # as Django's own Host check
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed_hosts)
