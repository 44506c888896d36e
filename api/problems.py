"""Every API error as RFC 9457 problem+json with a stable `code` and a message in the
request's language (LocaleMiddleware has activated it from Accept-Language)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sandali.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(*, status: int, code: str, detail: str, **extra) -> dict:
    body = {"type": f"/api/problems/{code}", "title": detail, "status": status, "code": code}
    body["detail"] = detail
    body.update(extra)
    return body


def problem(
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str, detail: str, **extra
) -> HttpResponse:
    body = problem_body(status=status, code=code, detail=detail, **extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def request_too_large(limit: int) -> HttpResponse:
    """413 before Django reads a body it would refuse (its own refusal is an HTML 400)."""
    body = problem_body(
        status=413,
        code="request_too_large",
        detail=_("The request body is larger than %(limit)s bytes.") % {"limit": limit},
    )
    return JsonResponse(body, status=413, content_type=PROBLEM_CONTENT_TYPE)


def install_problem_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        response = problem(
            api, request, status=exc.status, code=exc.code, detail=exc.message, **exc.details
        )
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return problem(
            api,
            request,
            status=422,
            code="validation_error",
            detail=_("The request is not valid: see errors."),
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc: AuthenticationError):
        response = problem(
            api,
            request,
            status=401,
            code="token_required",
            detail=_("This needs the token you received, as an Authorization: Bearer header."),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # Django Ninja raises HttpError(400) only for a body it cannot parse.
        if exc.status_code == 400:
            return problem(
                api,
                request,
                status=400,
                code="malformed_json",
                detail=_("The request body is not valid JSON."),
            )
        return problem(api, request, status=exc.status_code, code="http_error", detail=str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return problem(
            api, request, status=404, code="not_found", detail=_("There is nothing here.")
        )
