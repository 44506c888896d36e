"""Every error a buyer or organizer can meet has its Persian message."""

import contextlib
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from core.errors import DomainError


def all_domain_errors() -> list[type[DomainError]]:
    for app in apps.get_app_configs():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{app.name}.errors")
    importlib.import_module("core.limits")
    found, stack = [], list(DomainError.__subclasses__())
    while stack:
        error = stack.pop()
        found.append(error)
        stack.extend(error.__subclasses__())
    return sorted(found, key=lambda error: error.code)


@pytest.mark.parametrize("error", all_domain_errors(), ids=lambda error: error.code)
def test_each_error_message_is_translated_to_persian(error):
    with translation.override("en"):
        english = str(error.title)
    with translation.override("fa"):
        persian = str(error.title)
    assert persian != english and any("\u0600" <= ch <= "\u06ff" for ch in persian)
