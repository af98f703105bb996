"""The servers under test (gunicorn, granian): start, wait, measure memory, stop (by the group we started)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .config import BACKEND, BENCH, CONFIG, RESULTS, ROOT, VENV_BIN, Target
from .measure import http_get

_handed_out: set[int] = set()


def free_port() -> int:
    """A free loopback port: any, or the first free one of BENCH_PORTS not handed out yet."""
    if not CONFIG["ports"]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    low, _, high = CONFIG["ports"].partition("-")
    for port in range(int(low), int(high or low) + 1):
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise SystemExit(f"no free port in BENCH_PORTS={CONFIG['ports']}")


def server_command(name: str, port: int) -> list[str]:
    workers, threads = str(CONFIG["workers"]), str(CONFIG["threads"])
    if name in ("gunicorn", "gunicorn-sync"):
        worker_class = "sync" if name == "gunicorn-sync" else "gthread"
        conf = BENCH / "gunicorn.conf.py"
        return [
            str(VENV_BIN / "gunicorn"), "config.wsgi:application", "-c", str(conf),
            "--bind", f"127.0.0.1:{port}", "--worker-class", worker_class,
        ]  # fmt: skip
    if name == "granian":
        # The deployment's own launcher (docker/granian_web.py: its GRANIAN_* defaults), on loopback,
        # with the bench's workers/threads and no access log (neither server writes one here).
        return [
            str(VENV_BIN / "python"), str(ROOT / "docker" / "granian_web.py"),
            "--host", "127.0.0.1", "--port", str(port), "--workers", workers, "--blocking-threads", threads,
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
    raise SystemExit(f"unknown server {name!r}")


class Server:
    def __init__(self, name: str, env: dict):
        self.name = name
        self.port = free_port()
        self.metrics_dir = Path(tempfile.mkdtemp(prefix=f"bench-prom-{name}-"))
        env = {
            **env,
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "BENCH_WORKERS": str(CONFIG["workers"]),
        }
        self.log = open(RESULTS / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            server_command(name, self.port), cwd=BACKEND, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"
        self.front = None  # a bench.proxy.Nginx in front of this server, for the nginx targets

    def base_for(self, target: Target) -> str:
        return self.front.base if target.via_nginx else self.base

    def wait_ready(self, timeout: float = 60) -> None:
        wait_ok(self.base + "/health/live", self.process, timeout, self.name, self.log.name)

    def worker_memory(self) -> dict[int, dict[str, int]]:
        """VmRSS and VmHWM (peak) in KiB of every process of this server, by pid."""
        pids = descendants(self.process.pid)
        return {pid: memory_of(pid) for pid in pids if memory_of(pid)}

    def stop(self) -> None:
        try:
            if self.front is not None:
                self.front.stop()
        finally:
            self.stop_app()

    def stop_app(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group this script started, by its id
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.metrics_dir, ignore_errors=True)


def wait_ok(url: str, process: subprocess.Popen, timeout: float, what: str, log: str) -> None:
    """Until `url` answers 200; exits the bench if `process` dies or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited; see {log}")
        try:
            if http_get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{what} did not start within {timeout}s; see {log}")


def descendants(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        found.extend(children)
        frontier.extend(children)
    return found


def memory_of(pid: int) -> dict[str, int]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
    return {key: int(value) for key, value in values.items()}
