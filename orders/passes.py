"""A ticket's pass: what its QR code holds, signed by Sandali (core/signing.py).

    SND1:<performance id>:<ticket code>:<signature, base64url>

The signature covers "SND1:<performance id>:<ticket code>". A scanner holding only the public
key can tell a real ticket from a made-up one and a ticket for another show, without the
server; whether it was cancelled or already used is the check-in list's and the server's word.
The door also accepts the bare ticket code, typed by hand (see read_pass).
"""

import re
from dataclasses import dataclass

from core.signing import b64url, from_b64url, sign, verify

PREFIX = "SND1"
_CODE = re.compile(r"^[A-Z2-7]{16}$")


@dataclass(frozen=True)
class TicketPass:
    code: str
    # None when only the bare code was given (typed): then nothing was signed.
    performance_id: int | None = None


class InvalidPass(ValueError):
    """Neither a pass with a valid signature nor a well-formed ticket code."""


def _message(performance_id: int, code: str) -> bytes:
    return f"{PREFIX}:{performance_id}:{code}".encode()


def ticket_pass(*, performance_id: int, code: str) -> str:
    signature = b64url(sign(_message(performance_id, code)))
    return f"{PREFIX}:{performance_id}:{code}:{signature}"


def read_pass(text: str) -> TicketPass:
    """The ticket a scanned or typed text names; InvalidPass if it is neither a signed pass nor
    a ticket code. A typed code is normalised as a person types it: spaces, dashes, lowercase."""
    text = text.strip()
    if text.startswith(PREFIX + ":"):
        parts = text.split(":")
        if len(parts) != 4 or not parts[1].isdigit() or not _CODE.match(parts[2]):
            raise InvalidPass()
        performance_id, code = int(parts[1]), parts[2]
        try:
            signature = from_b64url(parts[3])
        except ValueError:
            raise InvalidPass() from None
        if not verify(_message(performance_id, code), signature):
            raise InvalidPass()
        return TicketPass(code=code, performance_id=performance_id)
    code = re.sub(r"[\s-]", "", text).upper()
    if not _CODE.match(code):
        raise InvalidPass()
    return TicketPass(code=code)
