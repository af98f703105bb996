"""granian for the `web` role: settings from the environment, then exec granian (WSGI).

`entrypoint.sh web` runs this unless WEB_SERVER=gunicorn. Every granian option can also be set
with granian's own GRANIAN_* variable (see `granian --help`); the ones below get production
defaults when unset. WEB_BIND, WEB_WORKERS and WEB_THREADS are shared with the gunicorn path.
Arguments after `entrypoint.sh web` are passed to granian and win over the environment.
"""

import os
import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[1]
WSGI_APP = "config.wsgi:application"
LOG_CONFIG = APP_DIR / "docker" / "granian-logging.json"
# One JSON object a line (core.logging.AccessLogJSONFormatter fills and escapes it). granian's
# atoms cover the request only: the request id is the X-Request-ID nginx always sends, which
# is the id the app answers with and logs unless the caller's one fails the app's validation.
ACCESS_LOG_FMT = (
    '{"request_id": "%(header{x-request-id})s", "remote_addr": "%(header{x-real-ip})s", '
    '"forwarded_for": "%(header{x-forwarded-for})s", "peer": "%(addr)s", "method": "%(method)s", '
    '"path": "%(path)s", "query": "%(query_string)s", "protocol": "%(protocol)s", '
    '"status": "%(status)d", "duration_ms": "%(dt_ms).3f", "user_agent": "%(header{user-agent})s"}'
)


def _env(name: str, default: str) -> str:
    """The variable's value, or `default` when it is unset or empty (`NAME=` in an .env file)."""
    return os.environ.get(name, "").strip() or default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def default_workers() -> int:
    """One worker per core (granian's advice; a worker runs its own Rust I/O threads), at most 8."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, 8))


def bind() -> tuple[str, str]:
    """(host, port) from WEB_BIND (host:port); GUNICORN_BIND is its old name."""
    address = _env("WEB_BIND", _env("GUNICORN_BIND", "0.0.0.0:8000"))
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "0.0.0.0", port  # noqa: S104 - in a container, behind nginx


def settings() -> dict[str, str]:
    """The GRANIAN_* environment granian starts with."""
    host, port = bind()
    workers = _env("GRANIAN_WORKERS", str(_env_int("WEB_WORKERS", default_workers())))
    # Python threads per worker running the app (gunicorn gthread's threads).
    threads = _env("GRANIAN_BLOCKING_THREADS", str(_env_int("WEB_THREADS", 4)))
    idle_threads = _env("GRANIAN_BLOCKING_THREADS_IDLE_TIMEOUT", "300")
    return {
        "GRANIAN_INTERFACE": "wsgi",
        "GRANIAN_HOST": host,
        "GRANIAN_PORT": port,
        # nginx talks HTTP/1.1 to the replicas; no HTTP/2 preface sniffing needed.
        "GRANIAN_HTTP": _env("GRANIAN_HTTP", "1"),
        "GRANIAN_WORKERS": workers,
        "GRANIAN_BLOCKING_THREADS": threads,
        # Idle threads (and the persistent DB connections they hold) outlive short lulls.
        "GRANIAN_BLOCKING_THREADS_IDLE_TIMEOUT": idle_threads,
        # The idle keep-alive limit too: granian closes a connection that sends no request
        # headers for this long. granian's maximum (60 s) is above nginx's upstream
        # keepalive_timeout (50 s), so granian never closes a connection nginx is about to reuse.
        "GRANIAN_HTTP1_HEADER_READ_TIMEOUT": _env("GRANIAN_HTTP1_HEADER_READ_TIMEOUT", "60000"),
        # Per worker: on Linux every worker listens on its own SO_REUSEPORT socket.
        "GRANIAN_BACKLOG": _env("GRANIAN_BACKLOG", "1024"),
        "GRANIAN_RESPAWN_FAILED_WORKERS": _env("GRANIAN_RESPAWN_FAILED_WORKERS", "true"),
        # Recycling: a worker over the RSS limit (MiB), or older than the lifetime, is replaced
        # (the new one starts before the old one stops) so a slow leak never grows unbounded.
        "GRANIAN_WORKERS_MAX_RSS": _env("GRANIAN_WORKERS_MAX_RSS", "512"),
        "GRANIAN_WORKERS_LIFETIME": _env("GRANIAN_WORKERS_LIFETIME", "6h"),
        # On SIGTERM workers finish their requests; one still busy after this is killed.
        "GRANIAN_WORKERS_KILL_TIMEOUT": _env("GRANIAN_WORKERS_KILL_TIMEOUT", "30"),
        "GRANIAN_LOG_LEVEL": _env("GRANIAN_LOG_LEVEL", "info"),
        "GRANIAN_LOG_CONFIG": _env("GRANIAN_LOG_CONFIG", str(LOG_CONFIG)),
        "GRANIAN_LOG_ACCESS_ENABLED": _env("GRANIAN_LOG_ACCESS_ENABLED", "true"),
        "GRANIAN_LOG_ACCESS_FMT": _env("GRANIAN_LOG_ACCESS_FMT", ACCESS_LOG_FMT),
    }


def command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "granian", *args, WSGI_APP]


if __name__ == "__main__":
    # From backend/: `python -m granian` puts it on the import path of the main process (which
    # loads the log formatters from core.logging) and of the workers (config.wsgi).
    os.chdir(APP_DIR / "backend")
    argv = command(sys.argv[1:])
    os.execve(argv[0], argv, {**os.environ, **settings()})  # noqa: S606 - becomes granian, PID 1's child
