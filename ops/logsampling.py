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


class QuietPeriodicTasks(logging.Filter):
    """django-tasks logs each task's start and its success (INFO): for the periodic tasks, which
    run every second or so (ops/periodic.py), those lines are left out; their failures are not.
    A mail task's lines pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        # Imported here: a logging filter is built while Django sets up, before the task
        # modules (and their models) may be imported.
        from ops.periodic import PERIODIC_PATHS

        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) > 1 and args[1] in PERIODIC_PATHS)
