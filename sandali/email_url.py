"""EMAIL_URL: where Sandali's mail goes, in one URL, as DATABASE_URL says where its data is.

    smtp://user:password@host:port     SMTP; STARTTLS on port 587 (submission, where servers
                                       require it) unless ?tls=0, and on any port with ?tls=1;
                                       port 25 when none is given
    smtps://user:password@host:port    SMTP inside TLS from the first byte (implicit TLS, RFC
                                       8314); port 465 when none is given
    console://                         each mail printed on the process's standard output
    file:///absolute/folder            each mail written to the folder as an .eml file

Options (query string): timeout=SECONDS (default 10; a server that does not answer fails the
attempt, which is retried later), tls=0|1 (smtp:// only), ssl_certfile=PATH and
ssl_keyfile=PATH (a client certificate, with STARTTLS or implicit TLS). The user and the
password are percent-decoded: a password with "@" or "/" is written %40, %2F.

Written here rather than taken from dj-email-url: its last release is from 2022, its smtps://
means STARTTLS (and warns that it is deprecated), and it reads file:///var/mail as the relative
folder var/mail.
"""

from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
FILE_BACKEND = "core.mailfiles.EmlFileBackend"
DEFAULT_TIMEOUT = 10.0
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
OPTIONS = {
    "smtp": {"timeout", "tls", "ssl_certfile", "ssl_keyfile"},
    "smtps": {"timeout", "ssl_certfile", "ssl_keyfile"},
    "console": set(),
    "file": set(),
}


@dataclass(frozen=True)
class EmailSettings:
    """Django's EMAIL_* settings, by name without the prefix."""

    backend: str
    host: str = "localhost"
    port: int = 25
    host_user: str = ""
    host_password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    file_path: str | None = None

    def django_settings(self) -> dict:
        """The settings by their names in Django (EMAIL_BACKEND, EMAIL_HOST, ...)."""
        names = {"backend": "EMAIL_BACKEND", "host_user": "EMAIL_HOST_USER"}
        return {
            names.get(name, f"EMAIL_{name.upper()}"): value for name, value in asdict(self).items()
        }


def parse_email_url(url: str) -> EmailSettings:
    """EMAIL_URL's settings; ImproperlyConfigured (never with the password) if it is not one
    of the forms above."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in OPTIONS:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme {scheme!r}; use smtp://, smtps://, console:// or file:///"
        )
    query = _options(parts.query, allowed=OPTIONS[scheme])
    if scheme == "console":
        return EmailSettings(backend=CONSOLE_BACKEND)
    if scheme == "file":
        folder = unquote(parts.path)
        if parts.netloc or not Path(folder).is_absolute():
            raise ImproperlyConfigured("EMAIL_URL: file:// needs an absolute folder: file:///path")
        return EmailSettings(backend=FILE_BACKEND, file_path=folder)
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL: {scheme}:// needs a host")
    implicit = scheme == "smtps"
    port = port or (465 if implicit else 25)
    starttls = not implicit and _flag(query.get("tls"), default=port == 587)
    return EmailSettings(
        backend=SMTP_BACKEND,
        host=parts.hostname,
        port=port,
        host_user=unquote(parts.username or ""),
        host_password=unquote(parts.password or ""),
        use_tls=starttls,
        use_ssl=implicit,
        timeout=_timeout(query.get("timeout")),
        ssl_certfile=query.get("ssl_certfile"),
        ssl_keyfile=query.get("ssl_keyfile"),
    )


def _options(query: str, *, allowed: set[str]) -> dict[str, str]:
    options = {name: values[-1] for name, values in parse_qs(query).items()}
    unknown = sorted(set(options) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise ImproperlyConfigured(f"EMAIL_URL: unknown option {unknown[0]!r} (known: {known})")
    return options


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in TRUE | FALSE:
        return value.lower() in TRUE
    raise ImproperlyConfigured(f"EMAIL_URL: tls={value!r} is neither 1 nor 0")


def _timeout(value: str | None) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ImproperlyConfigured(f"EMAIL_URL: timeout={value!r} is not a number of seconds")
    return seconds
