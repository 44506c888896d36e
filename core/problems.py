"""The one renderer of RFC 9457 problem+json answers, for the API, the pages' JSON endpoints
and the middleware that answers before a view runs (413, 415, 403, 503). A domain error is
rendered by error_problem(), wherever it is caught, so the API and the pages answer alike."""

from django.http import JsonResponse

from core.errors import DomainError, InternalError, ServiceUnavailable

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(*, status: int, code: str, detail: str, **extra) -> dict:
    body = {"type": f"/api/problems/{code}", "title": detail, "status": status, "code": code}
    body["detail"] = detail
    body.update(extra)
    return body


def problem_response(
    *, status: int, code: str, detail: str, retry_after: int | None = None, **extra
) -> JsonResponse:
    body = problem_body(status=status, code=code, detail=detail, **extra)
    return _respond(body, retry_after=retry_after)


def error_problem(error: DomainError) -> JsonResponse:
    """A domain error: its status and code, its message in the active language, its details
    as extension members, and Retry-After when the error says when to come back."""
    body = problem_body(status=error.status, code=error.code, detail=error.message, **error.details)
    return _respond(body, retry_after=getattr(error, "retry_after", None))


def _respond(body: dict, *, retry_after: int | None) -> JsonResponse:
    response = JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def service_unavailable() -> JsonResponse:
    return error_problem(ServiceUnavailable())


def internal_error() -> JsonResponse:
    return error_problem(InternalError())
