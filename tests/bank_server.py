"""A local stand-in for ZarinPal's payment gateway as payments/zarinpal_provider.py uses it: a
real HTTP server on loopback, in a thread, answering the REST API v4's JSON
(/pg/v4/payment/{request,verify,reverse,inquiry}.json) and serving its hosted page
(/pg/StartPay/<authority>), whose Pay and Cancel buttons send the buyer back to the callback
URL with ?Authority=...&Status=OK|NOK, as ZarinPal's documentation describes.

It keeps each authority's state as ZarinPal's inquiry names it (IN_BANK, PAID, VERIFIED,
FAILED, REVERSED), verifies a payment by itself unless the request's metadata.auto_verify
is false (as the gateway's panel may be set), answers verify with 100 once and 101 after,
-51 for no successful payment, -50 for another amount; reverse with 100, -61 for a payment
not verified, -63 once its 30 minutes are over (a test says when: `too_late_to_reverse`). It
records each request. It is what these tests know of ZarinPal's documentation, not ZarinPal:
Shaparak, cards, the bank's own time limits and its returning of unverified payments are not
here (`return_unverified` plays that last one when a test says so)."""

import json
import secrets
import string
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from payments.providers import payment_provider
from tests.servers import LoopbackServer

MERCHANT_ID = "1344b5d4-0048-11e8-94db-005056a205be"  # the shape of one: 36 characters
API = "/pg/v4/payment/"
PAGE = "/pg/StartPay/"


@dataclass
class Recorded:
    method: str
    path: str
    body: dict = field(default_factory=dict)


def _error(code: int, message: str, status: int = 400) -> tuple[int, dict]:
    return status, {"data": [], "errors": {"code": code, "message": message, "validations": []}}


def _data(**data) -> tuple[int, dict]:
    return 200, {"data": data, "errors": []}


class FakeZarinpal:
    def __init__(self):
        self.payments: dict[str, dict] = {}  # authority -> its request and state
        self.requests: list[Recorded] = []
        self.down = False  # every API call answers 502 with an HTML page, as a proxy would
        self.string_codes = False  # "code": "100", as some of ZarinPal's examples show it
        self.lock = threading.Lock()

    def sent(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == f"{API}{method}.json"]

    # What the buyer and the bank do.
    def pay(self, authority: str) -> str:
        """The buyer pays at the page; the URL the page sends them back to."""
        return self._leave(authority, "PAID", "OK")

    def cancel(self, authority: str) -> str:
        """The buyer cancels at the page (or the card is refused); the URL they go back to."""
        return self._leave(authority, "FAILED", "NOK")

    def _leave(self, authority: str, state: str, status: str) -> str:
        with self.lock:
            payment = self.payments[authority]
            assert payment["status"] == "IN_BANK", payment["status"]
            payment["status"] = state
            if state == "PAID" and payment["auto_verify"]:  # the gateway verifies by itself
                payment.update(status="VERIFIED", ref_id=secrets.randbelow(10**9) + 10**9)
            query = urlencode({"Authority": authority, "Status": status})
            return f"{payment['callback_url']}?{query}"

    def too_late_to_reverse(self, authority: str) -> None:
        self.payments[authority]["reversible"] = False

    def return_unverified(self) -> list[str]:
        """The bank gives back every payment its merchant never verified."""
        with self.lock:
            unverified = [a for a, p in self.payments.items() if p["status"] == "PAID"]
            for authority in unverified:
                self.payments[authority]["status"] = "REVERSED"
            return unverified

    # The API.
    def answer(self, path: str, body: dict) -> tuple[int, dict]:
        if self.down:
            return 502, {}
        if body.get("merchant_id") != MERCHANT_ID:
            return _error(-10, "Terminal is not valid, please check merchant_id or ip address.")
        method = path.removeprefix(API).removesuffix(".json")
        with self.lock:
            if method == "request":
                return self._request(body)
            payment = self.payments.get(body.get("authority", ""))
            if payment is None:
                return _error(-54, "Invalid authority.")
            return getattr(self, f"_{method}")(payment, body)

    def _request(self, body: dict) -> tuple[int, dict]:
        amount, currency = body.get("amount"), body.get("currency", "IRR")
        if not isinstance(amount, int) or amount < 1 or currency not in ("IRR", "IRT"):
            return _error(-9, "The input params invalid, validation error.")
        if not body.get("callback_url") or not body.get("description"):
            return _error(-9, "The input params invalid, validation error.")
        alphabet = string.ascii_lowercase + string.digits
        authority = "A" + "0" * 27 + "".join(secrets.choice(alphabet) for _ in range(8))
        self.payments[authority] = {
            "authority": authority,
            "amount": amount,
            "currency": currency,
            "callback_url": body["callback_url"],
            "description": body["description"],
            "status": "IN_BANK",
            "reversible": True,
            # As ZarinPal's panel may be set: verify by itself unless the request says not to.
            "auto_verify": (body.get("metadata") or {}).get("auto_verify") is not False,
        }
        return _data(code=100, message="Success", authority=authority, fee_type="Merchant", fee=0)

    def _verify(self, payment: dict, body: dict) -> tuple[int, dict]:
        if body.get("amount") != payment["amount"]:
            return _error(-50, "Session is not valid, amounts values is not the same.")
        if payment["status"] == "VERIFIED":
            return _data(code=101, message="Verified", ref_id=payment["ref_id"])
        if payment["status"] != "PAID":
            return _error(-51, "Session is not valid, session is not active paid try.")
        payment.update(status="VERIFIED", ref_id=secrets.randbelow(10**9) + 10**9)
        return _data(
            code=100,
            message="Paid",
            ref_id=payment["ref_id"],
            card_pan="502229******5995",
            card_hash="1EBE3EBEBE35C7EC0F8D6EE4F2F859107A87822CA179BC9528767EA7B5489B69",
            fee_type="Merchant",
            fee=0,
        )

    def _reverse(self, payment: dict, body: dict) -> tuple[int, dict]:
        if payment["status"] != "VERIFIED":
            return _error(-61, "Session is not in success status.")
        if not payment["reversible"]:
            return _error(-63, "Maximum time for reverse this session is expired.")
        payment["status"] = "REVERSED"
        return _data(code=100, message="Reversed")

    def _inquiry(self, payment: dict, body: dict) -> tuple[int, dict]:
        return _data(code=100, message="Success", status=payment["status"])

    # The hosted page: a test drives it by HTTP as a browser would.
    def page(self, authority: str) -> str:
        payment = self.payments[authority]
        return (
            "<!doctype html><html lang='fa' dir='rtl'><title>درگاه پرداخت</title>"
            f"<p>{payment['description']}: {payment['amount']} {payment['currency']}</p>"
            f"<form method='post'><button name='action' value='pay'>پرداخت</button>"
            f"<button name='action' value='cancel'>انصراف</button></form></html>"
        )


def _handler(fake: FakeZarinpal):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: bytes, content_type: str, location: str = ""):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if url.path.startswith(PAGE):  # the buyer's Pay or Cancel
                action = dict(parse_qsl(raw)).get("action")
                authority = url.path.removeprefix(PAGE)
                back = fake.pay(authority) if action == "pay" else fake.cancel(authority)
                return self._reply(302, b"", "text/html", back)
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            fake.requests.append(Recorded("POST", url.path, body))
            status, reply = fake.answer(url.path, body)
            if status == 502:
                return self._reply(502, b"<html>502 Bad Gateway</html>", "text/html")
            if fake.string_codes and isinstance(reply.get("data"), dict):
                reply["data"]["code"] = str(reply["data"]["code"])
            self._reply(status, json.dumps(reply).encode(), "application/json")

        def do_GET(self):
            url = urlsplit(self.path)
            authority = url.path.removeprefix(PAGE)
            if not url.path.startswith(PAGE) or authority not in fake.payments:
                return self._reply(404, b"not found", "text/plain")
            self._reply(200, fake.page(authority).encode(), "text/html; charset=utf-8")

        def log_message(self, *args):
            pass

    return Handler


class ZarinpalServer(LoopbackServer):
    """The fake on a free loopback port: `url` for ZARINPAL_API_BASE, `fake` for the test."""

    def __init__(self):
        super().__init__(FakeZarinpal(), _handler)


@pytest.fixture(name="zarinpal")
def zarinpal_fixture(settings):
    """Sandali configured for ZarinPal, its base URL on the local fake; the fake's state. The
    sweeper acts at once. (A test module imports `zarinpal_fixture` to use it.)"""
    settings.SANDALI_PAYMENT_RECOVERY_SECONDS = 0
    settings.SANDALI_PAYMENT_REDIRECT = True
    with ZarinpalServer() as server:
        settings.SANDALI_PAYMENT_PROVIDER = "payments.zarinpal_provider.ZarinpalProvider"
        settings.ZARINPAL_MERCHANT_ID = MERCHANT_ID
        settings.ZARINPAL_API_BASE = server.url
        payment_provider.cache_clear()
        yield server.fake
    payment_provider.cache_clear()
