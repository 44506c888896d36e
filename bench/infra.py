"""Private servers on loopback for a benchmark or a fault test: PostgreSQL (its own initdb),
Redis, and N Sandali app processes (granian or gunicorn, threaded, as in production)."""

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    return str(versions[-1] / name)


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the postgres system user then."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def private_postgres(*, settings: dict[str, str] | None = None):
    """Yield the URL of a fresh PostgreSQL cluster on a free loopback port."""
    workdir = Path(tempfile.mkdtemp(prefix="sandali-pg-"))
    data = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres_user(
            [_pg_bin("initdb"), "-D", str(data), "-U", "sandali", "--auth=trust", "-E", "UTF8"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = {
        "port": str(port),
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{workdir}'",
        "max_connections": "300",
        "shared_buffers": "'512MB'",
        **(settings or {}),
    }
    with open(data / "postgresql.conf", "a") as conf:
        conf.writelines(f"{key} = {value}\n" for key, value in options.items())
    log = workdir / "postgres.log"
    ctl = [_pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w"]
    subprocess.run(_as_postgres_user([*ctl, "start"]), check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        _as_postgres_user(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "sandali", "sandali"]
        ),
        check=True,
    )
    try:
        yield f"postgres://sandali@127.0.0.1:{port}/sandali", PostgresControl(ctl)
    finally:
        subprocess.run(
            _as_postgres_user([*ctl, "stop", "-m", "immediate"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


class PostgresControl:
    def __init__(self, ctl: list[str]):
        self.ctl = ctl

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user([*self.ctl, "stop", "-m", "fast"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        subprocess.run(
            _as_postgres_user([*self.ctl, "start"]), check=True, stdout=subprocess.DEVNULL
        )

    def restart(self) -> None:
        subprocess.run(
            _as_postgres_user([*self.ctl, "restart", "-m", "fast"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )


@contextmanager
def private_redis():
    with restartable_redis() as (url, _control):
        yield url


@contextmanager
def restartable_redis():
    """Yield the URL of a private Redis and a RedisControl that stops and starts it on the
    same port (an outage, for the tests of what Sandali does without Redis)."""
    control = RedisControl(free_port())
    control.start()
    try:
        yield f"redis://127.0.0.1:{control.port}/0", control
    finally:
        control.stop()


class RedisControl:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def django_env(database_url: str, redis_url: str = "", **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "sandali.settings",
        "SANDALI_ENV": "production",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789",
        "SANDALI_TICKET_SIGNING_KEY": "YmVuY2htYXJrLW9ubHktdGlja2V0LXNpZ25pbmcta2U",
        # No worker sends them in the benchmark or the fault test: the orders' mails are
        # recorded, never sent.
        "EMAIL_URL": "console://",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SANDALI_SSL_REDIRECT": "0",
        "SANDALI_SECURE_COOKIES": "0",
        "SANDALI_HSTS_SECONDS": "0",
        "DATABASE_CONN_MAX_AGE": "600",
        "SANDALI_LOG_LEVEL": "ERROR",
        # 200 buyers from one address: the abuse limits are turned off, explicitly.
        "SANDALI_RATE_HOLDS": "",
        "SANDALI_RATE_CHECKOUTS": "",
        "SANDALI_RATE_CHECKOUTS_PER_HOLD": "",
        "SANDALI_RATE_QUEUE_JOINS": "",
        "SANDALI_MAX_SEATS_PER_CLIENT": "0",
        **extra,
    }


def setup_django(env: dict[str, str]) -> None:
    """Set Django up in this process on `env` (from django_env), once: the bare client
    (bench/limit.py) builds its seat statements with the inventory's own builders, whose
    module needs Django's app registry. Nothing in this process uses Django's connection."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.update(env)
        django.setup()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def run_inside_private_postgres(module: str, *args: str, static: bool = False) -> str:
    """Run `python -m module --inside *args` against a private, migrated PostgreSQL (with
    the static files collected, as production serves them, if `static`), and return the last
    line it printed: for the benchmarks that measure in process, with Django set up on that
    database from the start."""
    with private_postgres() as (url, _control):
        env = django_env(url)
        manage(env, "migrate", "-v", "0")
        if static:
            manage(env, "collectstatic", "--noinput", "-v0")
        output = subprocess.run(
            [sys.executable, "-m", module, "--inside", *args],
            cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
    return output.stdout.strip().splitlines()[-1]


class AppProcess:
    """One app process on its own port: granian with blocking threads (the HTTP API in
    production), gunicorn with threaded workers (the waiting room's queue processes, which
    need its long accept queue), or uvicorn (ASGI, as the run command serves)."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int = 1,
        threads: int = 4,
        server: str = "granian",
        nice: int = 0,
        connections: int = 0,
        idle_class: bool = False,
    ):
        self.env = env
        # > 0: gunicorn's --worker-connections (1,000 unless set) and the kernel's longest
        # accept queue, as the README runs the waiting room's processes.
        self.connections = connections
        self.nice = nice  # > 0: yields the CPU to the others (os.nice)
        # Linux's SCHED_IDLE: runs only on CPU no other (normal) process wants, and gives it
        # up at once when one wakes (chrt --idle 0), where nice only weighs the shares
        self.idle_class = idle_class
        self.workers = workers
        self.threads = threads
        self.server = server
        if connections and server != "gunicorn":
            raise ValueError("connections= is gunicorn's --worker-connections")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "AppProcess":
        if self.server == "uvicorn":
            command = [
                sys.executable, "-m", "uvicorn", "sandali.asgi:application",
                "--port", str(self.port), "--log-level", "warning", "--no-access-log",
            ]  # fmt: skip
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, preexec_fn=self._prepare_child
            )
            self.wait_until_up()
            return self
        if self.server == "granian":
            command = [
                sys.executable, "-m", "granian", "--interface", "wsgi", "sandali.wsgi:application",
                "--host", "127.0.0.1", "--port", str(self.port), "--no-ws",
                "--workers", str(self.workers), "--blocking-threads", str(self.threads),
                "--backlog", "2048", "--log-level", "warning",
            ]  # fmt: skip
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, preexec_fn=self._prepare_child
            )
            self.wait_until_up()
            return self
        if self.server != "gunicorn":
            raise ValueError(f"no such app server: {self.server}")
        command = [
            sys.executable, "-m", "gunicorn", "sandali.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-class", "gthread",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--backlog", "4096" if self.connections else "2048",
            "--log-level", "warning",
            "--keep-alive", "30",
        ]  # fmt: skip
        if self.connections:
            command += ["--worker-connections", str(self.connections)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, preexec_fn=self._prepare_child
        )
        self.wait_until_up()
        return self

    def _prepare_child(self) -> None:  # in the child, before it runs the server
        if self.nice:
            os.nice(self.nice)
        if self.idle_class:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        if self.connections:  # a socket each: many systems start processes at 1,024 files
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            wanted = self.connections + 1024
            if soft != resource.RLIM_INFINITY and soft < wanted:
                top = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
                resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, top), hard))

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app process exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(f"{self.url}/api/v1/events", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(self.url)

    def pids(self) -> list[int]:
        result = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        )
        return [self.process.pid, *map(int, result.stdout.split())]

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash would."""
        for pid in self.pids():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def peak_memory_mb(pids: list[int]) -> float:
    """Peak resident memory (VmHWM) summed over the given processes, in MB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return round(total / 1024, 1)
