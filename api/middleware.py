"""The API's gate, before any view reads a request: the body's size (declared or chunked), its
media type, and the Origin of a state-changing request. Each refusal is a problem+json."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from api.errors import OriginNotAllowed, RequestTooLarge, UnsupportedMediaType
from core.origins import origin_allowed
from core.problems import error_problem

BODY_METHODS = {"POST", "PUT", "PATCH"}
STATE_CHANGING_METHODS = BODY_METHODS | {"DELETE"}


class ApiRequestGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path.startswith("/api/"):
            refusal = body_too_large(request) or foreign_origin(request) or not_json(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


def body_too_large(request: HttpRequest):
    """413 before Django reads a body it would refuse (its own refusal is an HTML 400). A body
    sent in chunks declares no length: it is read here, up to one byte past the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_large = length > limit
    if not too_large and not length and request.method in BODY_METHODS:
        try:
            request.body  # noqa: B018 - reads and keeps the body, or refuses it
        except RequestDataTooBig:
            too_large = True
    if not too_large:
        return None
    return error_problem(RequestTooLarge(limit=limit))


def not_json(request: HttpRequest):
    """415 for a body that is not JSON. Browsers send text/plain or a form from another site
    without asking; application/json needs a CORS preflight, which Sandali never grants."""
    if request.method not in BODY_METHODS or not request.body:
        return None  # no body: nothing to parse, and the endpoint says what it lacks (422)
    media_type = request.content_type.lower()
    if media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return None
    response = error_problem(UnsupportedMediaType())
    response["Accept-Post"] = "application/json"
    return response


def foreign_origin(request: HttpRequest):
    """403 for a state-changing request that a browser sent from a page of another site.
    Clients that send no Origin (scripts, box-office apps) are not browsers' victims."""
    if request.method not in STATE_CHANGING_METHODS:
        return None
    if origin_allowed(request.headers.get("Origin"), request.headers.get("Host")):
        return None
    return error_problem(OriginNotAllowed())
