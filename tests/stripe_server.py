"""A local stand-in for the part of Stripe's API that payments/stripe_provider.py calls: a real
HTTP server on loopback, in a thread, answering Stripe-shaped JSON and recording each request
(method, path, headers, form fields), so that the official `stripe` library talks to it as it
would to api.stripe.com (STRIPE_API_BASE).

It keeps Checkout Sessions, PaymentIntents and Refunds in memory, replays a request sent again
with the same Idempotency-Key (as Stripe does), and lets a test play the buyer (`pay`) and the
passing of time (`expire`). It is what these tests know of Stripe's documented behaviour, not
Stripe: its real validation, 3-D Secure and the network are not here."""

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from payments.providers import payment_provider
from tests.servers import LoopbackServer

WEBHOOK_SECRET = "whsec_test_sandali"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    form: dict = field(default_factory=dict)


def _error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"error": {"type": "invalid_request_error", "code": code, "message": message}}


class FakeStripe:
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        # Idempotency-Key -> the first request's form and answer
        self.replies: dict[str, tuple[dict, tuple[int, dict]]] = {}
        self.requests: list[Recorded] = []
        self.down = False  # answer 503 to everything (Stripe unreachable)
        self.lock = threading.Lock()

    # What the buyer and time do at Stripe.
    def pay(self, session_id: str) -> dict:
        with self.lock:
            session = self.sessions[session_id]
            assert session["status"] == "open", session["status"]
            intent = {
                "id": f"pi_{secrets.token_hex(8)}",
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "status": "succeeded",
            }
            self.intents[intent["id"]] = intent
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            return session

    def pay_later(self, session_id: str, *, intent_status: str = "processing") -> dict:
        """The buyer completed the page with a method that settles later (a bank debit)."""
        with self.lock:
            session = self.sessions[session_id]
            intent = {
                "id": f"pi_{secrets.token_hex(8)}",
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "status": intent_status,
            }
            self.intents[intent["id"]] = intent
            session.update(status="complete", payment_status="unpaid", payment_intent=intent["id"])
            return intent

    def expire(self, session_id: str) -> dict:
        with self.lock:
            self.sessions[session_id]["status"] = "expired"
            return self.sessions[session_id]

    def event(self, kind: str, session_id: str) -> dict:
        return {
            "id": f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "type": kind,
            "data": {"object": self.sessions[session_id]},
        }

    def created(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    # The API.
    def answer(self, method: str, path: str, form: dict, key: str | None) -> tuple[int, dict]:
        if self.down:
            return 503, {"error": {"type": "api_error", "message": "down"}}
        with self.lock:
            if key and key in self.replies:
                first_form, reply = self.replies[key]
                if form != first_form:
                    return 400, {"error": {"type": "idempotency_error", "message": "changed"}}
                return reply
            reply = self._route(method, path.rstrip("/").split("/")[2:], form)
            # Stripe keeps no result for a request that fails validation (nor a 5xx).
            if key and method == "POST" and reply[0] < 500 and not reply[1].get("refused"):
                self.replies[key] = (form, reply)
            return reply

    def _route(self, method: str, parts: list[str], form: dict) -> tuple[int, dict]:
        match method, parts:
            case "POST", ["checkout", "sessions"]:
                if int(form["expires_at"]) < time.time() + 30 * 60:
                    return 400, {
                        "refused": True,
                        "error": {
                            "type": "invalid_request_error",
                            "param": "expires_at",
                            "message": "expires_at must be at least 30 minutes from now",
                        },
                    }
                return 200, self._create_session(form)
            case "GET", ["checkout", "sessions", session_id]:
                if session_id not in self.sessions:
                    return _error(404, "resource_missing", "No such checkout.session")
                return 200, self.sessions[session_id]
            case "POST", ["checkout", "sessions", session_id, "expire"]:
                session = self.sessions[session_id]
                if session["status"] != "open":
                    return _error(400, "checkout_session_not_open", "Only open sessions expire")
                session["status"] = "expired"
                return 200, session
            case "GET", ["payment_intents", intent_id]:
                return 200, self.intents[intent_id]
            case "POST", ["refunds"]:
                return self._refund(form)
            case "GET", ["refunds"]:
                found = [
                    r
                    for r in self.refunds.values()
                    if r["payment_intent"] == form["payment_intent"]
                ]
                return 200, {
                    "object": "list",
                    "data": found,
                    "has_more": False,
                    "url": "/v1/refunds",
                }
        return _error(404, "unknown_path", f"{method} {parts}")

    def _refunds_of(self, intent_id: str) -> list[dict]:
        return [r for r in self.refunds.values() if r["payment_intent"] == intent_id]

    def _create_session(self, form: dict) -> dict:
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
            "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
            "currency": form["line_items[0][price_data][currency]"],
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {"sandali_payment_key": form.get("metadata[sandali_payment_key]")},
            "locale": form.get("locale"),
            "expires_at": int(form["expires_at"]),
        }
        self.sessions[session_id] = session
        return session

    def _refund(self, form: dict) -> tuple[int, dict]:
        intent = self.intents.get(form["payment_intent"])
        if intent is None:
            return _error(404, "resource_missing", "No such payment_intent")
        given = sum(
            r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"]
        )
        left = intent["amount"] - given
        if left == 0:
            return _error(400, "charge_already_refunded", "Charge has already been refunded")
        amount = int(form.get("amount", left))
        if amount > left:
            return _error(400, "amount_too_large", "Refund is greater than unrefunded amount")
        refund = {
            "id": f"re_{secrets.token_hex(8)}",
            "object": "refund",
            "amount": amount,
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return 200, refund


def _handler(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else url.query
            form = dict(parse_qsl(body, keep_blank_values=True))
            fake.requests.append(Recorded(self.command, url.path, dict(self.headers), form))
            status, reply = fake.answer(
                self.command, url.path, form, self.headers.get("Idempotency-Key")
            )
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args):
            pass

    return Handler


class StripeServer(LoopbackServer):
    """The fake on a free loopback port: `url` for STRIPE_API_BASE, `fake` for the test."""

    def __init__(self):
        super().__init__(FakeStripe(), _handler)


def signed_webhook(event: dict, secret: str) -> tuple[bytes, dict]:
    """The body and headers Stripe posts, signed by the stripe library's own signing code."""
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret)
    return body.encode(), {"Stripe-Signature": header}


@pytest.fixture(name="stripe_api")
def stripe_api_fixture(settings):
    """Sandali configured for Stripe, its API base URL on the local fake; the fake's state.
    The sweeper acts at once. (A test module imports `stripe_api_fixture` to use it.)"""
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0
    with StripeServer() as server:
        settings.SANDALI_PAYMENT_PROVIDER = "payments.stripe_provider.StripeProvider"
        settings.STRIPE_SECRET_KEY = "sk_test_sandali"
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = server.url
        payment_provider.cache_clear()
        yield server.fake
    payment_provider.cache_clear()
