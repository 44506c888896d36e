"""A ticket's pass (its QR code) is signed with Ed25519: the public key alone verifies it."""

import pytest

from core import signing
from orders.passes import InvalidPass, TicketPass, read_pass, ticket_pass

CODE = "N6J6GVCL5JZKD5AR"


def test_a_pass_names_its_ticket_and_performance():
    assert read_pass(ticket_pass(performance_id=7, code=CODE)) == TicketPass(CODE, 7)


def test_a_pass_verifies_with_the_public_key_alone():
    text = ticket_pass(performance_id=7, code=CODE)
    signature = signing.from_b64url(text.rsplit(":", 1)[1])
    assert signing.verify(f"SND1:7:{CODE}".encode(), signature, key=signing.public_key())


@pytest.mark.parametrize(
    "forge",
    [
        lambda text: text.replace("SND1:7:", "SND1:8:"),  # moved to another show
        lambda text: text.replace(CODE, "A" * 16),  # another ticket
        lambda text: text[:-2] + ("AA" if not text.endswith("AA") else "BB"),  # signature
        lambda text: text.rsplit(":", 1)[0],  # no signature
        lambda text: text + ":x",
    ],
)
def test_a_changed_pass_is_refused(forge):
    with pytest.raises(InvalidPass):
        read_pass(forge(ticket_pass(performance_id=7, code=CODE)))


def test_a_pass_signed_by_another_key_is_refused():
    other = signing.Ed25519PrivateKey.generate()
    forged = f"SND1:7:{CODE}:" + signing.b64url(other.sign(f"SND1:7:{CODE}".encode()))
    with pytest.raises(InvalidPass):
        read_pass(forged)


@pytest.mark.parametrize("typed", [CODE, CODE.lower(), "n6j6 gvcl-5jzk d5ar", f" {CODE}\n"])
def test_a_typed_code_is_read_as_a_person_types_it(typed):
    assert read_pass(typed) == TicketPass(CODE, None)


@pytest.mark.parametrize("typed", ["", "N6J6GVCL5JZKD5A", "N6J6GVCL5JZKD5A0", "SND1:x:y:z"])
def test_what_is_not_a_ticket_code_is_refused(typed):
    with pytest.raises(InvalidPass):
        read_pass(typed)
