"""The scanner page and its service worker, as the server serves them."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_scanner_page_runs_only_its_own_module_under_the_strict_policy(client):
    response = client.get("/checkin/", HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts == [' id="checkin-config" type="application/json"',
                       ' type="module" src="/static/web/checkin.js"']  # fmt: skip
    config = json.loads(re.search(r'id="checkin-config"[^>]*>(.*?)</script>', page, re.S)[1])
    assert config["urls"]["checkins"] == "/api/v1/checkins"
    assert config["urls"]["serviceWorker"] == "/checkin/sw.js"
    assert config["messages"]["titles"]["admitted"] == "پذیرفته شد"
    assert 'dir="rtl"' in page


def test_the_service_worker_is_served_from_the_scanner_s_scope_and_keeps_its_files(client):
    response = client.get("/checkin/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script)[1])
    assert "/checkin/" in precache
    for name in ("checkin.js", "checkin-decide.js", "checkin-store.js", "checkin-camera.js",
                 "vendor/jsQR.js", "sandali.css"):  # fmt: skip
        assert f"/static/web/{name}" in precache
    assert re.search(r'const CACHE = "sandali-checkin-[0-9a-f]{16}";', script)
