"""Production settings refuse to start when they would be unsafe (no database needed), and
EMAIL_URL's forms."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sandali.email_url import (
    CONSOLE_BACKEND,
    FILE_BACKEND,
    SMTP_BACKEND,
    EmailSettings,
    parse_email_url,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup()"
SIGNING_KEY = "dGVzdHMtb25seS10aWNrZXQtc2lnbmluZy1rZXktMzI"
EMAIL_URL = "smtp://sandali:secret@mail.example.org:587"


def start_django(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sandali.settings",
        SANDALI_ENV="production",
        SANDALI_TICKET_SIGNING_KEY=SIGNING_KEY,
        EMAIL_URL=EMAIL_URL,
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start_django(DJANGO_ALLOWED_HOSTS="tickets.example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_an_empty_secret_key():
    result = start_django(DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="tickets.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = start_django(
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-tests",
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="tickets.example.org",
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG" in result.stderr


def test_production_starts_with_a_secret_key_and_debug_off():
    result = start_django(
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-tests",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="tickets.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_production_turns_debug_off_by_default():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SETUP + "; from django.conf import settings; "
            "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE)",
        ],
        cwd=REPO_ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"},
            "DJANGO_SETTINGS_MODULE": "sandali.settings",
            "SANDALI_ENV": "production",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-tests",
            "DJANGO_ALLOWED_HOSTS": "tickets.example.org",
            "SANDALI_TICKET_SIGNING_KEY": SIGNING_KEY,
            "EMAIL_URL": EMAIL_URL,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "False ['tickets.example.org'] True"


def test_production_refuses_to_start_without_a_ticket_signing_key():
    result = start_django(
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-tests",
        DJANGO_ALLOWED_HOSTS="tickets.example.org",
        SANDALI_TICKET_SIGNING_KEY="",
    )
    assert result.returncode != 0
    assert "SANDALI_TICKET_SIGNING_KEY" in result.stderr


@pytest.mark.parametrize("email_url", ["", "  "])
def test_production_refuses_to_start_without_an_email_url(email_url):
    result = start_django(
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-tests",
        DJANGO_ALLOWED_HOSTS="tickets.example.org",
        EMAIL_URL=email_url,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "EMAIL_URL" in result.stderr


def settings_of(names: str, **env: str) -> str:
    """The settings named (space-separated) as a process started with this environment
    (unset: None) reads them, on one line."""
    environment = {k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "SANDALI_ENV"}}
    environment.update(DJANGO_SETTINGS_MODULE="sandali.settings")
    environment.update({name: value for name, value in env.items() if value is not None})
    values = ", ".join(f"s.{name}" for name in names.split())
    result = subprocess.run(
        [sys.executable, "-c", f"{SETUP}; from django.conf import settings as s; print({values})"],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_starts_with_an_email_url_and_sends_from_sandali_mail_from():
    result = start_django(
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-tests",
        DJANGO_ALLOWED_HOSTS="tickets.example.org",
    )
    assert result.returncode == 0, result.stderr
    shown = settings_of(
        "EMAIL_BACKEND EMAIL_HOST EMAIL_PORT EMAIL_USE_TLS DEFAULT_FROM_EMAIL",
        EMAIL_URL=EMAIL_URL,
        SANDALI_MAIL_FROM="Tickets <tickets@example.org>",
    )
    assert shown == f"{SMTP_BACKEND} mail.example.org 587 True Tickets <tickets@example.org>"


def test_development_without_an_email_url_writes_mail_to_files_under_var():
    shown = settings_of("EMAIL_BACKEND EMAIL_FILE_PATH")
    assert shown == f"{FILE_BACKEND} {REPO_ROOT / 'var' / 'mail'}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", EmailSettings(SMTP_BACKEND, "mail.example.org", 25,
                                                  timeout=10.0)),
        # Submission's port: STARTTLS unless switched off.
        ("smtp://u:p@mail.example.org:587", EmailSettings(SMTP_BACKEND, "mail.example.org", 587,
                                                          "u", "p", use_tls=True, timeout=10.0)),
        ("smtp://mail.example.org:587?tls=0", EmailSettings(SMTP_BACKEND, "mail.example.org", 587,
                                                            timeout=10.0)),
        ("smtp://mail.example.org:2525?tls=1&timeout=2.5",
         EmailSettings(SMTP_BACKEND, "mail.example.org", 2525, use_tls=True, timeout=2.5)),
        # Implicit TLS, and a user and password percent-decoded.
        ("smtps://tickets%40example.org:p%40ss%2Fw%3Ard@smtp.example.org",
         EmailSettings(SMTP_BACKEND, "smtp.example.org", 465, "tickets@example.org", "p@ss/w:rd",
                       use_ssl=True, timeout=10.0)),
        ("smtps://smtp.example.org:2465?ssl_certfile=/etc/c.pem&ssl_keyfile=/etc/k.pem",
         EmailSettings(SMTP_BACKEND, "smtp.example.org", 2465, use_ssl=True, timeout=10.0,
                       ssl_certfile="/etc/c.pem", ssl_keyfile="/etc/k.pem")),
        ("console://", EmailSettings(CONSOLE_BACKEND)),
        ("file:///srv/sandali/mail", EmailSettings(FILE_BACKEND, file_path="/srv/sandali/mail")),
    ],
)  # fmt: skip
def test_email_url_forms(url, expected):
    assert parse_email_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "smtp+tls://mail.example.org",  # unknown scheme
        "smtp://",  # no host
        "smtp://mail.example.org:99999",  # no port
        "smtp://mail.example.org?tls=maybe",
        "smtp://mail.example.org?timeout=0",
        "smtp://mail.example.org?timeout=soon",
        "smtp://mail.example.org?tsl=1",  # a misspelt option is refused, not ignored
        "smtps://mail.example.org?tls=1",  # TLS from the first byte already
        "file://var/mail",  # relative
        "mail.example.org",
    ],
)
def test_email_urls_that_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        parse_email_url(url)


def test_a_refused_email_url_does_not_repeat_its_password():
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_email_url("smtp://user:hunter2@mail.example.org?tsl=1")
    assert "hunter2" not in str(refused.value)
