"""Production settings refuse to start when they would be unsafe (no database needed)."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup()"
SIGNING_KEY = "dGVzdHMtb25seS10aWNrZXQtc2lnbmluZy1rZXktMzI"


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
