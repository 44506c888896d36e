"""Every API error as RFC 9457 problem+json with a stable `code` and a message in the
request's language (LocaleMiddleware has activated it from Accept-Language). The bodies come
from the one renderer, core/problems.py; this module only says which problem each error is."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.errors import BadRequest, MalformedJson, NotFound, RequestInvalid, TokenRequired
from core.errors import DomainError
from core.problems import (
    error_problem,
    internal_error,
    problem_response,
    service_unavailable,
)

log = logging.getLogger(__name__)


def install_problem_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        response = error_problem(exc)
        if exc.status == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return error_problem(RequestInvalid(errors=errors))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc: AuthenticationError):
        response = error_problem(TokenRequired())
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # Django Ninja raises HttpError(400) only for a body it cannot parse.
        if exc.status_code == 400:
            return error_problem(MalformedJson())
        return problem_response(status=exc.status_code, code="http_error", detail=str(exc))

    @api.exception_handler(Exception)
    def unexpected_error(request, exc: Exception):
        """Whatever DEBUG says, a client of the API gets a problem, never a traceback: 503
        while the database is unreachable, else 500 with the details in the server's log."""
        if isinstance(exc, OperationalError | InterfaceError):
            return service_unavailable()
        log.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
        return internal_error()

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return error_problem(NotFound())


def bad_request(request, exception):
    """Django's own 400 (handler400: a Host header it does not serve, refused before any view):
    problem+json on the API, as every other API error; the stock page elsewhere."""
    if request.path.startswith("/api/"):
        return error_problem(BadRequest())
    return defaults.bad_request(request, exception)
