"""The local run command's server (scripts/run): one uvicorn process for HTTP and WebSockets on
127.0.0.1:$PORT (default 8000). Its arguments are written here once, so that the test starts
the server exactly as scripts/run does.

    python -m ops.serve check    exit 1 with a hint when the port is taken
    python -m ops.serve          serve
"""

import os
import socket
import sys

HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def uvicorn_arguments(port: int) -> list[str]:
    return [
        "sandali.asgi:application", "--host", HOST, "--port", str(port),
        # Django has no lifespan events; uvicorn's default probe only logs that.
        "--lifespan", "off",
    ]  # fmt: skip


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # As uvicorn binds: a port in TIME_WAIT is free, one that something listens on is not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def configured_port() -> int:
    value = os.environ.get("PORT", str(DEFAULT_PORT))
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SystemExit(f"PORT={value} is not a port number (1-65535)")
    return int(value)


def check(port: int) -> int:
    if port_is_free(port):
        return 0
    free = next((p for p in range(port + 1, min(port + 100, 65536)) if port_is_free(p)), None)
    hint = f"; run PORT={free} scripts/run" if free else "; choose another with PORT=..."
    print(f"port {port} is in use{hint}", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    port = configured_port()
    if argv[1:] == ["check"]:
        return check(port)
    if argv[1:]:
        raise SystemExit(__doc__)
    command = [sys.executable, "-m", "uvicorn", *uvicorn_arguments(port)]
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
