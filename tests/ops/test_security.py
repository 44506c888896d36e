"""Security settings as an operator and a browser see them."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "SANDALI_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SANDALI_TICKET_SIGNING_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "tickets.example.org",
        "DJANGO_DEBUG": "0",
        "EMAIL_URL": "smtp://mail.example.org:587",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their process
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_the_api_does_not_need_one(client, performance):
    page = client.get(f"/performances/{performance.pk}/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    api = client.get(f"/api/v1/performances/{performance.pk}")
    assert "Content-Security-Policy" not in api
    assert api["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_admin_is_only_for_staff(client, django_user_model):
    assert client.get("/admin/").status_code == 302
    buyer = django_user_model.objects.create_user("buyer", password="a-long-password-1")
    client.force_login(buyer)
    assert client.get("/admin/catalog/seat/").status_code == 302


@pytest.mark.django_db
def test_the_policy_is_not_even_built_for_the_paths_it_exempts(client, performance, monkeypatch):
    import csp.middleware

    built = []
    build_policy = csp.middleware.build_policy
    monkeypatch.setattr(
        csp.middleware, "build_policy", lambda **kw: built.append(1) or build_policy(**kw)
    )
    client.get(f"/api/v1/performances/{performance.pk}/seats")
    assert built == []  # a map reload in a rush: the API carries no policy, so none is built
    client.get(f"/performances/{performance.pk}/")
    assert built
