"""Development's mail files (core/mailfiles.py): one .eml per message, and a file appears
under its .eml name only once the whole message is in it (a watcher of the folder once read a
file still being written)."""

import email
import os
from email import policy
from pathlib import Path

from django.core.mail import EmailMessage

from core.mailfiles import EmlFileBackend


def test_each_message_appears_whole_under_its_name(tmp_path, monkeypatch):
    seen_at_rename = []
    rename = os.rename

    def watching_rename(source, target):
        seen_at_rename.append((os.path.exists(target), Path(source).read_bytes()))
        return rename(source, target)

    monkeypatch.setattr(os, "rename", watching_rename)
    backend = EmlFileBackend(file_path=str(tmp_path))
    messages = [
        EmailMessage("Your tickets", "Hello", "box@example.org", [to])
        for to in ("ava@example.org", "bo@example.org")
    ]
    assert backend.send_messages(messages) == 2
    files = sorted(tmp_path.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    recipients = set()
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        recipients.add(message["To"].addresses[0].addr_spec)
    assert recipients == {"ava@example.org", "bo@example.org"}
    # Renamed into place once written whole, onto no file of that name.
    assert [exists for exists, _ in seen_at_rename] == [False, False]
    assert {content for _, content in seen_at_rename} == {f.read_bytes() for f in files}
