"""Sandali's ticket-signing key: Ed25519, so that a scanner at the door can verify a ticket with
the public key alone, and a stolen scanner holds nothing that could make a ticket.

The private key comes from SANDALI_TICKET_SIGNING_KEY (the 32-byte seed in base64url; make one
with `python -m core.signing`). Without it, development keeps a key of its own in
var/ticket-signing.key (created once, readable by its owner only), so every process of a local
run signs alike; production refuses to start without the variable (sandali/settings.py).
"""

import base64
import os
import sys
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_seed() -> str:
    return b64url(os.urandom(32))


@cache
def _private_key() -> Ed25519PrivateKey:
    seed = settings.SANDALI_TICKET_SIGNING_KEY or _development_seed()
    raw = from_b64url(seed.strip())
    if len(raw) != 32:
        raise ValueError("SANDALI_TICKET_SIGNING_KEY must be 32 bytes in base64url")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _development_seed() -> str:
    path = Path(settings.BASE_DIR) / "var" / "ticket-signing.key"
    try:
        # O_EXCL: of two processes starting at once, one writes the key and both read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(fd, "w") as file:
        file.write(new_seed())
    return path.read_text()


def sign(message: bytes) -> bytes:
    return _private_key().sign(message)


def public_key() -> bytes:
    """The 32 raw bytes of the public key (what WebCrypto's Ed25519 importKey("raw") takes)."""
    return _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def verify(message: bytes, signature: bytes, *, key: bytes | None = None) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(key or public_key()).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


if __name__ == "__main__":
    print(new_seed())
    sys.exit(0)
