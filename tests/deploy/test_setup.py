"""A fresh machine: the Debian packages come from one list (scripts/system-packages) that CI,
the benchmark and the fault test all use, and running installs only what running needs."""

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = {"pytest", "playwright", "hypothesis", "schemathesis", "ruff"}


def fake_commands(directory: Path, **scripts: str) -> dict[str, str]:
    for name, body in scripts.items():
        path = directory / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{directory}:{os.environ['PATH']}"}


def system_packages(env: dict[str, str], *groups: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ROOT / "scripts/system-packages", *groups], env=env, capture_output=True, text=True
    )


def test_ci_the_benchmark_and_the_fault_test_take_debian_packages_from_the_one_script():
    for entry_point, groups in {
        ".ci/run": "servers browser pdf", "bench/run": "servers browser", "bench/faults": "servers"
    }.items():  # fmt: skip
        text = (ROOT / entry_point).read_text()
        assert f"scripts/system-packages {groups}\n" in text, entry_point
        assert "apt-get" not in text, entry_point


def test_a_user_who_is_not_root_is_told_the_command_that_installs_what_is_missing(tmp_path):
    env = fake_commands(tmp_path, **{"dpkg-query": "exit 1", "id": "echo 1000"})
    result = system_packages(env, "servers", "browser")
    assert result.returncode == 1
    assert "apt-get install -y postgresql redis-server nginx chromium" in result.stderr
    assert "fonts-noto-core" in result.stderr  # Persian glyphs in the browser tests


def test_nothing_is_installed_when_everything_is_there(tmp_path):
    env = fake_commands(tmp_path, **{"dpkg-query": "printf installed", "apt-get": "exit 9"})
    assert system_packages(env, "servers", "browser").returncode == 0
    assert system_packages(env, "nonsense").returncode == 2


def installed(venv: Path) -> set[str]:
    site = next(venv.glob("lib/python*/site-packages"))
    return {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}


def test_running_installs_no_test_tools_and_testing_adds_them_without_removing(tmp_path):
    venv = tmp_path / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}

    def install(*groups: str) -> set[str]:
        subprocess.run([ROOT / "scripts/install", *groups], env=env, check=True, timeout=300)
        return installed(venv)

    for_running = install()  # what scripts/run does
    assert {"django", "granian", "gunicorn", "uvicorn", "channels", "whitenoise"} <= for_running
    assert not TEST_TOOLS & for_running
    assert install("dev", "bench") >= TEST_TOOLS  # what scripts/test does
    assert install() >= TEST_TOOLS  # running again keeps the test tools
    assert "scripts/install\n" in (ROOT / "scripts/run").read_text()
    assert "scripts/install dev bench " in (ROOT / "scripts/test").read_text()
