"""Real nginx with the deployment's config (nginx/) in front of a server under test.

The config is rendered for loopback use by the deploy tests' harness (the same rendering
backend/core/tests/deploy/test_nginx_gunicorn.py runs), with one change: the per-address rate of
the API's `limit_req` zone is raised, because every wrk connection comes from 127.0.0.1 and the
deployment's 50 r/s would answer nearly every request with nginx's own 429 (the limit is still
evaluated on every request).
"""

import importlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from .config import BACKEND, CONFIG, NGINX_HOST, RESULTS
from .measure import http_get
from .servers import free_port, wait_ok

API_RATE = re.compile(r"(limit_req_zone \S+ zone=api:\S+ rate=)\d+r/s;")
UNTHROTTLED = "1000000r/s"
CACHE_STATUS = re.compile(rb'"cache":"([A-Z]*)"')


def harness():
    """backend/core/tests/deploy/harness.py: renders nginx/ for this machine (stdlib only)."""
    if str(BACKEND) not in sys.path:
        sys.path.insert(0, str(BACKEND))
    return importlib.import_module("core.tests.deploy.harness")


def unavailable() -> str | None:
    """Why the nginx targets cannot run here, or None."""
    if not CONFIG["nginx"]:
        return "BENCH_NGINX is off"
    try:
        harness().nginx_binary()
    except AssertionError:
        return "nginx is not installed"
    return None


def version() -> str:
    result = subprocess.run([harness().nginx_binary(), "-v"], capture_output=True, text=True, check=False)
    return (result.stderr or result.stdout).strip().removeprefix("nginx version: ")


def lowercase(headers: dict) -> dict:
    return {key.lower(): value for key, value in headers.items()}


class Nginx:
    """nginx (master + workers, its own process group) proxying to one server on a free port."""

    def __init__(self, server_name: str, upstream_port: int):
        self.name = server_name
        self.upstream_port = upstream_port
        self.dir = Path(tempfile.mkdtemp(prefix=f"bench-nginx-{server_name}-"))
        self.process = None
        self.static_root = self.dir / "static"
        self.static_root.mkdir()
        self.access_log = self.dir / "access.log"  # truncated after every count: it grows fast
        self.error_log = RESULTS / f"nginx-{server_name}.log"
        self.not_hit_log = RESULTS / f"nginx-{server_name}-not-hit.log"  # access-log lines, per run
        self.not_hit_log.unlink(missing_ok=True)
        self.port = 0
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.base = f"http://127.0.0.1:{self.port}"

    def _start(self) -> None:
        tools = harness()
        self.port = free_port()
        conf = tools.render_nginx(
            self.dir / "conf",
            port=self.port,
            static_root=self.static_root,
            upstreams=[f"127.0.0.1:{self.upstream_port}"],
            server_name=NGINX_HOST,
        )
        text, count = API_RATE.subn(rf"\g<1>{UNTHROTTLED};", conf.read_text())
        if count != 1:
            raise SystemExit(f"{conf}: expected one `limit_req_zone … zone=api:… rate=…r/s;`")
        conf.write_text(text)
        with self.access_log.open("ab") as stdout, self.error_log.open("wb") as stderr:
            self.process = subprocess.Popen(
                tools.nginx_command(conf, "-g", "daemon off;"),
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,  # stop() ends the master and its workers by this group
            )

    def wait_ready(self, timeout: float = 15) -> None:
        wait_ok(
            self.base + "/nginx-health",
            self.process,
            timeout,
            f"nginx in front of {self.name}",
            self.error_log,
        )

    def prime(self, path: str, headers: dict, tries: int = 50) -> tuple[bytes, str]:
        """GETs `path` until nginx answers from its proxy cache (X-Proxy-Cache: HIT) twice in a
        row; returns that body and its Content-Type."""
        seen, hits = [], 0
        while len(seen) < tries:
            status, response_headers, body = http_get(self.base + path, headers)
            response_headers = lowercase(response_headers)
            seen.append(f"{status} {response_headers.get('x-proxy-cache', '-')}")
            if status != 200:
                raise SystemExit(f"nginx in front of {self.name}: {path} answered {status}")
            hits = hits + 1 if response_headers.get("x-proxy-cache") == "HIT" else 0
            if hits == 2:
                return body, response_headers.get("content-type", "")
            time.sleep(0.02)
        raise SystemExit(f"nginx in front of {self.name} never served {path} from its cache: {seen}")

    def publish(self, path: str, source: str, headers: dict) -> None:
        """Writes the bytes nginx answers for `source` (a cache HIT) to the static file at `path`,
        and checks nginx serves that file with the same body and Content-Type."""
        body, content_type = self.prime(source, headers)
        if not path.startswith("/static/"):
            raise SystemExit(f"{path}: static copies live under /static/ (nginx's static location)")
        file = self.static_root / path.removeprefix("/static/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(body)
        status, response_headers, served = http_get(self.base + path, headers)
        served_type = lowercase(response_headers).get("content-type", "")
        if status != 200 or served != body or served_type != content_type:
            raise SystemExit(
                f"nginx does not serve {path} as {source}: {status}, {len(served)} bytes of "
                f"{served_type!r} against {len(body)} bytes of {content_type!r}"
            )

    def forget_log(self) -> None:
        """Empties the access log; nginx appends (O_APPEND), so it carries on at the new end."""
        self.access_log.write_bytes(b"")

    def cache_statuses(self) -> Counter:
        """Proxy-cache statuses ($upstream_cache_status) of the requests logged since forget_log()
        (the JSON access log; the static location is not logged, so nothing is counted for it)."""
        data = self.access_log.read_bytes()
        self.forget_log()
        statuses = Counter(status.decode() or "none" for status in CACHE_STATUS.findall(data))
        if sum(statuses.values()) != statuses["HIT"]:  # keep what was not a HIT, for a look afterwards
            others = [line for line in data.splitlines() if b'"cache":"HIT"' not in line]
            with self.not_hit_log.open("ab") as log:
                log.write(b"\n".join(others[:50]) + b"\n")
        return statuses

    def stop(self) -> None:
        try:
            if self.process is not None:
                harness().stop(self.process)  # SIGTERM to the group, SIGKILL if it lingers
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
