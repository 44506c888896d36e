"""A server process's entry point freezes what it loaded (sandali/frozen_start.py): a full
collection then walks only what the requests made, and no longer stops every request of the
process for 60-110 ms while it walks Django. sandali/wsgi.py (the API and the queue's
processes) loads the URL conf first; sandali/asgi.py (the sockets, sent only /ws/) does not."""

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
tracked = len(gc.get_objects())
loaded = "api.v1" in sys.modules
from api.urls import api
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "tracked": tracked,
    "api_loaded_at_start": loaded,
    "api_frozen": not any(thing is api for thing in gc.get_objects()),
}}))
"""


@pytest.mark.parametrize(("module", "views"), [("wsgi", True), ("asgi", False)])
def test_the_entry_point_freezes_the_loaded_application(module, views, tmp_path):
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
    # The API's processes loaded the URL conf before the freeze: the views' module and the API
    # object are among the frozen, not made on the first request. The sockets' did not.
    assert seen["api_loaded_at_start"] == seen["api_frozen"] == views
