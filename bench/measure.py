"""Measurements: wrk runs, and /metrics scrapes turned into per-run deltas."""

import json
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from .config import BENCH, CONFIG, WRK_THREADS, Target


def http_get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    return http_request("GET", url, headers)


def http_request(
    method: str, url: str, headers: dict | None = None, payload: dict | None = None
) -> tuple[int, dict, bytes]:
    """One request (a JSON body when `payload` is given): status, headers and body, errors included."""
    headers = dict(headers or {})
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(base: str, token: str) -> list[tuple[str, dict, float]]:
    status, _, body = http_get(base + "/metrics", {"Authorization": f"Bearer {token}"})
    if status != 200:
        raise SystemExit(f"/metrics answered {status} on {base}")
    samples = []
    for line in body.decode().splitlines():
        match = _SAMPLE.match(line)
        if match and not line.startswith("#"):
            samples.append(
                (match.group(1), dict(_LABEL.findall(match.group(3) or "")), float(match.group(4)))
            )
    return samples


def total(samples, name: str, **where) -> float:
    return sum(
        value
        for sample, labels, value in samples
        if sample == name and all(labels.get(key) == want for key, want in where.items())
    )


def not_metrics(samples, name: str) -> float:
    return sum(
        value for sample, labels, value in samples if sample == name and labels.get("route") != "/metrics"
    )


def deltas(before, after) -> dict:
    def delta(function, *args, **kwargs):
        return function(after, *args, **kwargs) - function(before, *args, **kwargs)

    requests = delta(not_metrics, "movie_nexus_http_requests_total")
    queries = delta(not_metrics, "movie_nexus_http_db_queries_total")
    events = {
        (tier, outcome): delta(
            total, "movie_nexus_cache_events_total", level="view", tier=tier, outcome=outcome
        )
        for tier in ("l1", "l2")
        for outcome in ("hit", "miss", "stale", "error")
    }
    hits = events["l1", "hit"] + events["l2", "hit"] + events["l2", "stale"]
    lookups = hits + events["l2", "miss"]
    return {
        "app_requests": requests,
        "sql_per_request": queries / requests if requests else 0.0,
        "hit_rate": hits / lookups if lookups else None,
        "l1_share": events["l1", "hit"] / hits if hits else None,
        "cache_errors": events["l1", "error"] + events["l2", "error"],
        "tmdb_calls": delta(total, "movie_nexus_tmdb_requests_total"),
    }


class ZipfCursor:
    """Where each wrk thread is in the Zipf sequence: every run continues where the last one stopped."""

    skip = 0


def run_wrk(wrk: str, url: str, target: Target, token: str, paths: Path, duration: int) -> dict:
    headers = dict(target.headers)
    if target.auth:
        headers["Authorization"] = f"Bearer {token}"
    command = [
        wrk,
        "-t",
        str(WRK_THREADS),
        "-c",
        str(CONFIG["connections"]),
        "-d",
        f"{duration}s",
        "--timeout",
        "5s",
    ]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    command += ["-s", str(BENCH / "wrk.lua"), url]
    if target.zipf:
        command += ["--", str(paths), str(WRK_THREADS), str(ZipfCursor.skip)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed for {target.name}: {result.stdout}\n{result.stderr}")
    data = json.loads(line.split(" ", 1)[1])
    if target.zipf:
        ZipfCursor.skip += data["requests"] // WRK_THREADS + CONFIG["connections"]
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds,
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["errors"] + data["non_2xx_3xx"],
        "requests": data["requests"],
    }
