"""A flood of refused requests writes a bounded number of log lines; errors always pass."""

import logging
import time

import pytest

from ops.logsampling import SUPPRESSED, ClientErrorSampler

pytestmark = pytest.mark.django_db


def test_a_flood_of_404s_and_429s_writes_a_bounded_number_of_log_lines(client, settings, caplog):
    for sampler in logging.getLogger("django.request").filters:
        sampler.window = -1  # a fresh minute, whatever other tests logged before
    settings.SANDALI_RATE_LIMITS = {**settings.SANDALI_RATE_LIMITS, "holds": "1/60"}
    suppressed_before = SUPPRESSED._value.get()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for _ in range(150):
            client.get("/api/v1/performances/99999")
            client.post("/api/v1/performances/99999/holds", "{}", content_type="application/json")
    lines = [r for r in caplog.records if r.name == "django.request"]
    assert 0 < len(lines) <= 20
    assert SUPPRESSED._value.get() - suppressed_before >= 280


def test_the_next_line_after_a_quiet_minute_says_how_many_were_left_out():
    sampler = ClientErrorSampler(per_minute=2, window_seconds=0.2)

    def record(status: int) -> logging.LogRecord:
        line = logging.LogRecord("django.request", logging.WARNING, "", 0, "Not Found", (), None)
        line.status_code = status
        return line

    assert [sampler.filter(record(404)) for _ in range(5)] == [True, True, False, False, False]
    assert sampler.filter(record(500))  # an error always passes
    time.sleep(0.25)
    line = record(404)
    assert sampler.filter(line)
    assert "3 more such lines were left out" in line.getMessage()
