"""The base of every domain error: a stable code, an HTTP status and a translatable message.

Each app declares its own errors once, in its errors.py. The API and the pages' JSON
endpoints render them as problem+json through core/problems.py; the pages and the admin show
their messages, and the seat map is given their titles (web/selection.py messages_for_page).
"""

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


class DomainError(Exception):
    code: ClassVar[str]
    status: ClassVar[int]
    title: ClassVar[str | Promise]

    def __init__(self, **details: Any) -> None:
        super().__init__(self.code)
        self.details = details

    @property
    def message(self) -> str:
        """The title in the active language with the details filled in: a list as the
        language writes one ("a, b" / "a، b"), and Persian digits in Persian."""
        persian = (get_language() or "").startswith("fa")
        text = str(self.title)
        if self.details:
            comma = "، " if persian else ", "
            text %= {
                name: comma.join(map(str, value)) if isinstance(value, list | tuple) else value
                for name, value in self.details.items()
            }
        return text.translate(PERSIAN_DIGITS) if persian else text


class ServiceUnavailable(DomainError):
    """While the database cannot be reached: the client should send the request again."""

    code = "service_unavailable"
    status = 503
    title = _("The service is briefly unavailable. Please try again in a moment.")
    retry_after = 2


class InternalError(DomainError):
    """What went wrong is in the server's log, never in the answer."""

    code = "internal_error"
    status = 500
    title = _("Something went wrong on our side. Please try again.")
