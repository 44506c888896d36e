"""A private nginx running the production site config (deploy/nginx/sandali.conf) for the
benchmarks and the deployment tests, and its timing log."""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bench.infra import ROOT, free_port, wait_for_port

NGINX_SITE = ROOT / "deploy" / "nginx" / "sandali.conf"


def nginx_binary() -> str | None:
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")


@contextmanager
def private_nginx(
    *,
    http_upstream: str | list[str],
    ws_upstream: str,
    queue_upstream: str | list[str] | None = None,
    connections: int = 1024,
    per_address_limits: bool = True,
    timing_log: Path | None = None,
):
    """Yield the URL of a private nginx on a free loopback port running the production site
    config (deploy/nginx/sandali.conf) in front of the given app server(s) and uvicorn.

    `queue_upstream`: the app processes for the waiting room's requests (default: the HTTP
    ones). `connections`: nginx's worker_connections (a client's connection and the upstream
    one each count). `per_address_limits` False drops the recipe's connections-per-address
    caps: a benchmark's whole crowd comes from 127.0.0.1 (the app's own per-address limits
    are off in the benchmarks' environment likewise, `django_env`). `timing_log`: a file where
    nginx writes a line per request (read by `read_timing_log`)."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian package nginx; scripts/system-packages)")
    workdir = Path(tempfile.mkdtemp(prefix="sandali-nginx-"))
    workdir.chmod(0o755)  # started as root, nginx's workers (nobody) use temp dirs in here
    port = free_port()
    site = NGINX_SITE.read_text()

    def servers(upstream: str | list[str]) -> str:  # "a" or "a;\n    server b" ...
        return ";\n    server ".join([upstream] if isinstance(upstream, str) else upstream)

    values = {"LISTEN": f"127.0.0.1:{port}", "SERVER_NAME": "127.0.0.1",
              "HTTP_UPSTREAM": servers(http_upstream), "WS_UPSTREAM": ws_upstream,
              "QUEUE_UPSTREAM": servers(queue_upstream or http_upstream)}  # fmt: skip
    lines = []
    for line in site.splitlines():
        if line.lstrip().startswith("#"):  # the recipe's own explanation, left as it is
            lines.append(line)
            continue
        if not per_address_limits and line.strip().startswith("limit_conn "):
            continue
        for name, value in values.items():
            line = line.replace(f"@{name}@", value)
        lines.append(line)
    site = "\n".join(lines) + "\n"
    (workdir / "sandali.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    access_log = "access_log off;"
    if timing_log is not None:  # buffered: a write per 256 kB, not per request
        access_log = (
            f"log_format timing '$request_method $uri $status $request_time';\n"
            f"    access_log {timing_log} timing buffer=256k flush=5s;"
        )
    (workdir / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\nworker_rlimit_nofile {4 * connections};\n"
        f"pid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'} warn;\n"
        f"events {{ worker_connections {connections}; }}\n"
        f"http {{\n    {access_log}\n{temp_paths}\n    include {workdir / 'sandali.conf'};\n}}\n"
    )
    command = [binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf"),
               "-e", str(workdir / "error.log")]  # fmt: skip
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode:
        raise RuntimeError(f"nginx refuses the configuration: {checked.stderr}")
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def read_timing_log(path: Path, method: str, uri: str) -> list[float]:
    """The seconds nginx took over each `method` request for `uri` in a private nginx's
    `timing_log`, from reading the request's first byte to writing the answer's last: the
    system's own answer time, without the load generator's delays in reading it."""
    wanted = f"{method} {uri} "
    with open(path) as log_file:
        return [float(line.rsplit(" ", 1)[1]) for line in log_file if line.startswith(wanted)]
