"""Throwaway service processes for fault tests: our own redis-server, PostgreSQL cluster, app server.

Never the machine's shared services: each helper starts its own process on a free loopback port,
breaks that one, and removes it afterwards.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """`redis-server` on a free port, no persistence; stop/start/freeze/thaw on demand."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--protected-mode", "no"]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(lambda: port_open(self.port), timeout=10), "redis-server did not start"
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class PostgresCluster:
    """A private PostgreSQL 15 cluster in a temp dir (run as `postgres` when we are root)."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hrd-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True, timeout=timeout)

    def init(self) -> "PostgresCluster":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"
        )

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class AppServer:
    """The app under gunicorn on a free port with the given environment (settings: config.settings.test)."""

    def __init__(self, env: dict, *, workers: int = 2, log: Path | None = None):
        self.log = log or Path(tempfile.mkstemp(prefix="hrd-app-", suffix=".log")[1])
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PYTHONPATH": str(ROOT / "backend"),
            **env,
        }
        self.workers = workers
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def start(self) -> "AppServer":
        argv = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{self.port}"]
        argv += ["-w", str(self.workers), "--timeout", "30", "--graceful-timeout", "5"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                env=self.env,
                cwd=ROOT / "backend",
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert wait_until(self._live, timeout=60, interval=0.2), "gunicorn did not start"
        return self

    def _live(self) -> bool:
        try:
            return requests.get(f"{self.base_url}/health/live", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


# CELERY WORKERS ---------------------------------------------------------------
def manage(env: dict, *args: str) -> str:
    """`manage.py …` in a child process with `env`; its stdout (raises if it fails)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    ).stdout


def start_worker(env: dict, queue: str, *, log: Path | None = None) -> subprocess.Popen:
    """A real Celery worker (solo pool, one task at a time) consuming `queue`, in its own session
    (so `stop` kills it and its children at once)."""
    argv = [sys.executable, "-m", "celery", "-A", "config.celery", "worker", "-Q", queue]
    argv += [
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "-l",
        "WARNING",
        "--without-heartbeat",
        "--without-gossip",
    ]
    argv += ["--without-mingle", "-n", f"{queue}@%h"]
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT / "backend",
            stdout=output,
            stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        if log is not None:
            output.close()


def stop(process: subprocess.Popen) -> None:
    """SIGKILL to the process group: no clean shutdown, as an OOM kill or a lost container."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def delete_queue(broker_url: str, name: str) -> None:
    from kombu import Connection

    with Connection(broker_url, connect_timeout=5) as connection:
        connection.default_channel.queue_delete(name)


def wait_for_other_connections_to_end(timeout: float = 10) -> None:
    """PostgreSQL may still be finishing a COMMIT a killed process sent: wait until the other
    backends on this database are gone, so what a test reads is what the dead process left."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
