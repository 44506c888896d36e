"""The one renderer of RFC 9457 problem+json answers, for the API, the pages' JSON endpoints
and the middleware that answers before a view runs (413, 415, 403, 503)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

PROBLEM_CONTENT_TYPE = "application/problem+json"
SERVICE_RETRY_AFTER_SECONDS = 2


def problem_body(*, status: int, code: str, detail: str, **extra) -> dict:
    body = {"type": f"/api/problems/{code}", "title": detail, "status": status, "code": code}
    body["detail"] = detail
    body.update(extra)
    return body


def problem_response(
    *, status: int, code: str, detail: str, retry_after: int | None = None, **extra
) -> JsonResponse:
    body = problem_body(status=status, code=code, detail=detail, **extra)
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def service_unavailable() -> JsonResponse:
    """503 while the database cannot be reached: the client should send the request again."""
    return problem_response(
        status=503,
        code="service_unavailable",
        detail=_("The service is briefly unavailable. Please try again in a moment."),
        retry_after=SERVICE_RETRY_AFTER_SECONDS,
    )


def internal_error() -> JsonResponse:
    """500 without a traceback: what went wrong is in the server's log, never in the answer."""
    return problem_response(
        status=500,
        code="internal_error",
        detail=_("Something went wrong on our side. Please try again."),
    )
