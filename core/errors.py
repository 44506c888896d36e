"""The base of every domain error: a stable code, an HTTP status and a translatable message.

Each app declares its own errors once, in its errors.py. The API and the pages' JSON
endpoints render them as problem+json through core/problems.py; the pages and the admin show
their messages, and the seat map is given their titles (web/selection.py messages_for_page).
"""

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import get_language

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
        text = str(self.title) % self.details if self.details else str(self.title)
        if (get_language() or "").startswith("fa"):
            text = text.translate(PERSIAN_DIGITS)
        return text
