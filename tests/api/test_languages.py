"""HTTP API v1: problem details in the request's language."""

import pytest

from tests.api.helpers import get, post
from tests.factories import seat_ids

pytestmark = pytest.mark.django_db


def _error_in(client, performance, lang, kind):
    ids = seat_ids(performance)
    if kind == "hold_not_found":
        return get(client, "/holds/999999", token="wrong", lang=lang)
    if kind == "token_required":
        return get(client, "/holds/999999", lang=lang)
    if kind == "validation_error":
        return post(client, f"/performances/{performance.pk}/holds", {"seats": ["x"]}, lang=lang)
    if kind == "too_many_seats":
        return post(client, f"/performances/{performance.pk}/holds", {"seats": ids[:11]}, lang=lang)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["hold_not_found", "token_required", "validation_error", "too_many_seats"]
)
def test_error_detail_is_in_the_requests_language(client, performance, kind):
    english = _error_in(client, performance, "en", kind)
    persian = _error_in(client, performance, "fa", kind)
    assert english.json()["code"] == persian.json()["code"] == kind
    assert english["Content-Language"] == "en"
    assert persian["Content-Language"] == "fa"
    assert persian.json()["detail"] != english.json()["detail"]
    if kind == "too_many_seats":
        assert "10" in english.json()["detail"]
