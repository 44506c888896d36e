"""A server process's entry point (sandali/wsgi.py for the API and the queue's processes,
sandali/asgi.py for the sockets) loads the URL conf and freezes what it loaded: a full
collection then walks only what the requests made, and no longer stops every request of the
process for 60-110 ms while it walks Django (sandali/frozen_start.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: what the entry module's import alone left tracked and frozen.
CHECK = """
import gc, json, sys
import sandali.{module}
from api.urls import api
tracked = gc.get_objects()
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "tracked": len(tracked),
    "api_loaded_at_start": "api.v1" in sys.modules,
    "api_frozen": not any(thing is api for thing in tracked),
}}))
"""


@pytest.mark.parametrize("module", ["wsgi", "asgi"])
def test_the_entry_point_freezes_the_loaded_application_views_included(module, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    # Django, Ninja and Sandali's modules are well over 50,000 objects; almost none is left
    # for a collection to walk.
    assert seen["frozen"] > 50_000
    assert seen["tracked"] < seen["frozen"] / 20
    # The URL conf was loaded before the freeze: the views' module and the API object are
    # among the frozen, not made on the first request.
    assert seen["api_loaded_at_start"] and seen["api_frozen"]
