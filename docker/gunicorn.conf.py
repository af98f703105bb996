"""Gunicorn settings for the `web` role: every value from the environment, JSON access log."""

import json
import os
import time
from pathlib import Path

from gunicorn.glogging import Logger

APP_DIR = Path(__file__).resolve().parents[1]


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _default_workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(2 * cores + 1, 9)


# SERVER -------------------------------------------------------------------------
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
pythonpath = str(APP_DIR / "backend")
wsgi_app = "config.wsgi:application"
# gthread keeps idle keep-alive connections from nginx without holding a thread.
worker_class = "gthread"
workers = _env_int("GUNICORN_WORKERS", _default_workers())
threads = _env_int("GUNICORN_THREADS", 4)
# Longer than nginx's upstream keepalive_timeout (50 s), so gunicorn never closes a
# connection nginx is about to reuse.
keepalive = _env_int("GUNICORN_KEEPALIVE", 75)
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)
backlog = _env_int("GUNICORN_BACKLOG", 2048)
# Only nginx reaches the web replicas (no published port), so its X-Forwarded-* are trusted.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
# gunicorn's runtime control socket (gunicornc) is off unless a path is given.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
# Worker heartbeat files in memory, off the container's overlay disk (gunicorn's advice).
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own heartbeat files, not user data
if Path(SHARED_MEMORY).is_dir():
    worker_tmp_dir = SHARED_MEMORY

# LOGGING ------------------------------------------------------------------------
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class JSONAccessLogger(Logger):
    """One JSON object a line per request, carrying the X-Request-ID the app returned."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "logger": "gunicorn.access",
            "request_id": atoms.get("{x-request-id}o", "-"),
            "remote_addr": atoms.get("{x-real-ip}i") or atoms["h"],
            "forwarded_for": atoms.get("{x-forwarded-for}i", "-"),
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"] or 0,
            "duration_ms": atoms["M"],
            "user_agent": atoms["a"],
            "pid": os.getpid(),
        }
        self.access_log.info(json.dumps(record, separators=(",", ":")))


logger_class = JSONAccessLogger
