"""Development's mail: each message a file of its own in a folder (EMAIL_URL=file:///folder,
and var/mail/ when EMAIL_URL is not set), which any mail program opens, HTML and attachments
included. Django's own file backend writes all the messages of a connection into one .log."""

import os
import uuid
from datetime import datetime

from django.core.mail.backends import filebased


class EmlFileBackend(filebased.EmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            path = os.path.join(self.file_path, name)
            # Written under another name, then renamed: whoever watches the folder (a mail
            # program, a test) sees a whole message or none, never a file still being written.
            with open(path + ".part", "xb") as file:
                file.write(message.message().as_bytes())
            os.rename(path + ".part", path)
            sent += 1
        return sent
