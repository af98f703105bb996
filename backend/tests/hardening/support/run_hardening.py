"""`make hardening`: the deep profiles (fuzz, abuse, security, faults), the load test, and the
summary of their latest results in docs/hardening.md (between the results markers)."""

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from processes import ROOT

OUT = ROOT / ".hardening"
DOC = ROOT / "docs" / "hardening.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SERVICES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
# Deployment attacks that need real nginx: its own errors in the envelope, a TLS load balancer in front.
DEPLOY_SUITES = (
    "backend/core/tests/deploy/test_nginx_errors.py",
    "backend/core/tests/deploy/test_nginx_tls_balancer.py",
)
# Reproductions of the outside attack (issue 17) that live beside the code they cover.
ATTACK_REPRODUCTIONS = (
    "backend/apps/authentication/tests/test_outbox.py",  # Redis down at register/reset; reset timing
    "backend/apps/authentication/tests/test_addresses.py",  # the Unicode look-alike lockout
    "backend/apps/authentication/tests/test_revocation.py",  # the Redis-freeze revocation
    "backend/core/tests/test_throttles.py",  # two-worker throttle accuracy
    "backend/core/adminsite/tests/test_sites.py",  # the admin's shared lockout, parallel tries
    "backend/apps/movies/tests/test_upstream_budget.py",  # TMDb quota: per-client budget, negative cache
    "backend/apps/movies/sync/tests/test_deadlock_free.py",  # reads that write: 0 deadlocks, 0 503s
)


def run_suite() -> tuple[int, float]:
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "backend/tests/hardening",
        *DEPLOY_SUITES,
        *ATTACK_REPRODUCTIONS,
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    argv += [f"--junitxml={OUT / 'junit.xml'}", "-n", os.environ.get("HARDENING_WORKERS", "2")]
    env = {**os.environ, "HARDENING_PROFILE": os.environ.get("HARDENING_PROFILE", "deep")}
    code = subprocess.run(argv, cwd=ROOT, env=env, check=False, timeout=3600).returncode
    return code, time.monotonic() - started


def run_loadtest() -> int:
    script = Path(__file__).with_name("loadtest.py")
    return subprocess.run(
        [sys.executable, str(script)], cwd=script.parent, check=False, timeout=1800
    ).returncode


def suite_table() -> list[str]:
    tree = ET.parse(OUT / "junit.xml")  # noqa: S314 - our own pytest output
    groups: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])
    for case in tree.iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        group = groups[module]
        group[0] += 1
        group[1] += any(child.tag in ("failure", "error") for child in case)
        group[2] += float(case.get("time", 0))
    lines = ["| suite | tests | failed | seconds |", "|---|---:|---:|---:|"]
    lines += [
        f"| `{name}` | {n} | {failed} | {secs:.0f} |" for name, (n, failed, secs) in sorted(groups.items())
    ]
    return lines


def load_lines() -> list[str]:
    path = OUT / "loadtest.json"
    if not path.exists():
        return ["Load test: no result."]
    r = json.loads(path.read_text())
    lines = [
        f"Load test: {r['users']} concurrent users for {r['seconds']} s against gunicorn with "
        f"{r['workers']} workers: **{r['rps']:.1f} req/s, p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
        f"{r['failures']} errors in {r['requests']} requests ({r['error_rate']:.2%})**.",
        "",
        "| endpoint | requests | failures | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| `{e['name']}` | {e['requests']} | {e['failures']} | {e['p50_ms']:.0f} | {e['p99_ms']:.0f} |"
        for e in r["by_endpoint"]
    ]
    return lines


def write_doc(code: int, seconds: float, load_code: int) -> None:
    commit = subprocess.run(
        ["/usr/bin/git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    services = "real services" if all(os.environ.get(n) for n in SERVICES) else "embedded defaults"
    body = [
        START,
        f"_Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at `{commit}`, profile "
        f"`{os.environ.get('HARDENING_PROFILE', 'deep')}`, {services}, load average "
        f"{os.getloadavg()[0]:.1f}: suite {'passed' if code == 0 else f'FAILED (exit {code})'} in "
        f"{seconds:.0f} s; load test {'passed' if load_code == 0 else 'FAILED'}._",
        "",
        *suite_table(),
        "",
        *load_lines(),
        END,
    ]
    text = DOC.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + "\n".join(body) + tail)


def main() -> int:
    code, seconds = run_suite()
    load_code = run_loadtest()
    write_doc(code, seconds, load_code)
    print(f"hardening: suite exit {code}, loadtest exit {load_code}; results in {DOC.relative_to(ROOT)}")
    return code or load_code


if __name__ == "__main__":
    sys.exit(main())
