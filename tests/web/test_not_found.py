"""Every page answers 404 for what does not exist, including ids no database column holds."""

import pytest

pytestmark = pytest.mark.django_db

TOO_BIG = 2**64


@pytest.mark.parametrize(
    "path",
    [
        "/performances/{id}/",
        "/performances/{id}/checkout",
        "/performances/{id}/selection",
        "/orders/{id}/",
        "/orders/{id}/tickets.pdf",
    ],
)
@pytest.mark.parametrize("missing", [99999, 2**63 - 1, TOO_BIG, 10**40])
def test_a_page_for_nothing_is_404(client, performance, path, missing):
    response = client.get(path.format(id=missing))
    assert response.status_code == 404


def test_choosing_a_seat_of_a_performance_that_does_not_exist_is_404(client, performance):
    response = client.post(f"/performances/{TOO_BIG}/selection/seats/1")
    assert response.status_code == 404
    response = client.post("/performances/99999/selection/seats/1")
    assert response.status_code == 404
