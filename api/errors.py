"""The API's own refusals, before or around the domain's: each with a stable code and a
translatable message, rendered like every domain error by core/problems.py."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class RequestTooLarge(DomainError):
    code = "request_too_large"
    status = 413
    title = _("The request body is larger than %(limit)s bytes.")


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415
    title = _("The request body must be JSON, sent as Content-Type: application/json.")


class OriginNotAllowed(DomainError):
    code = "origin_not_allowed"
    status = 403
    title = _("Requests from this web site are not allowed to change anything here.")


class MalformedJson(DomainError):
    code = "malformed_json"
    status = 400
    title = _("The request body is not valid JSON.")


class BadRequest(DomainError):
    """A request Django refuses before any view reads it: a Host it does not serve."""

    code = "bad_request"
    status = 400
    title = _("This request is malformed and was refused.")


class RequestInvalid(DomainError):
    """The request's fields are listed in the problem's `errors` member."""

    code = "validation_error"
    status = 422
    title = _("The request is not valid: see errors.")


class TokenRequired(DomainError):
    code = "token_required"
    status = 401
    title = _("This needs the token you received, as an Authorization: Bearer header.")


class QueueTokenRequired(DomainError):
    """GET /queue without its token: the header, not the URL, carries this secret."""

    code = "queue_token_required"
    status = 400
    title = _("This needs the queue token you received, as a Sandali-Queue-Token header.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = _("There is nothing here.")


class ReturnUrlNotAllowed(DomainError):
    """A payment page's return URL the API does not send buyers to (api/payment_pages.py)."""

    code = "return_url_not_allowed"
    status = 422
    title = _(
        "The return URL must be an http or https address of a web site this server allows "
        "(in production: https, on the site itself or an origin in its allowed list)."
    )


class PaymentPageNotOffered(DomainError):
    """The payment provider has no hosted page: the API's checkout charges synchronously."""

    code = "payment_page_not_offered"
    status = 409
    title = _("This server's payment provider has no payment page; use the checkout instead.")
