"""A real SMTP server for tests (aiosmtpd on a free loopback port) that keeps what it receives,
and the task worker run as `manage.py db_worker --batch` runs it."""

import asyncio
import email
import threading
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from tests.servers import free_port


class Inbox:
    """aiosmtpd's handler: every message accepted, parsed; `delay` makes the server slow."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.delay = 0.0
        self.unknown_addresses: set[str] = set()  # refused for good (550)
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.unknown_addresses:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class MailServer:
    """An SMTP server that can be stopped and started again on the same port (an outage)."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def run_tasks() -> None:
    """Run every task that is due now, of every queue, then return (`db_worker --batch`)."""
    Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=get_random_string(12),
        excluded_queue_names=[],
    ).run()  # fmt: skip
