"""A flood of refused requests must not be free log growth. Django writes a warning for every
4xx answer; this filter lets SANDALI_LOG_CLIENT_ERRORS lines through per minute and process,
counts the rest in sandali_log_lines_suppressed_total, and says how many it held back on the
next line it lets through. Errors (5xx) always pass: each of them is a bug or an outage."""

import logging
import threading
import time

from prometheus_client import Counter

SUPPRESSED = Counter(
    "sandali_log_lines_suppressed",
    "Log lines about refused requests (4xx) left out of the log; their answers are counted in "
    "sandali_request_seconds by status.",
)


class ClientErrorSampler(logging.Filter):
    def __init__(self, per_minute: int = 20, window_seconds: float = 60) -> None:
        super().__init__()
        self.per_window = int(per_minute)
        self.window_seconds = window_seconds
        self.window = -1
        self.passed = 0
        self.held_back = 0
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or not 400 <= status < 500:
            return True
        with self.lock:
            window = int(time.monotonic() // self.window_seconds)
            if window != self.window:
                self.window, self.passed = window, 0
            if self.passed >= self.per_window:
                self.held_back += 1
                SUPPRESSED.inc()
                return False
            self.passed += 1
            held_back, self.held_back = self.held_back, 0
        if held_back:
            record.msg = f"{record.msg} ({held_back} more such lines were left out before it)"
        return True
