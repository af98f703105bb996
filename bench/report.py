"""The bench report: summary per server and target, printed and written to docs/performance.md."""

import json
import os
from collections import Counter

from .config import CONFIG, RESULTS, ROOT, ZIPF_EXPONENT, Target

LOAD = {"start": 0.0}  # the load average when the run started
NGINX = {"version": ""}  # the nginx the nginx targets ran on, when they ran
TARGET_RATIO = 0.5  # the target: nginx_cached >= 0.5 of nginx_file


def summarise(runs: dict) -> dict:
    summary = {}
    for server, by_target in runs.items():
        rows = {}
        for target, results in by_target.items():
            n = len(results)
            hit_rates = [r["hit_rate"] for r in results if r["hit_rate"] is not None]
            rows[target] = {
                "rps": sum(r["rps"] for r in results) / n,
                "p50_ms": sum(r["p50_ms"] for r in results) / n,
                "p99_ms": max(r["p99_ms"] for r in results),
                "errors": sum(r["errors"] for r in results),
                "hit_rate": sum(hit_rates) / len(hit_rates) if hit_rates else None,
                "l1_share": results[-1]["l1_share"],
                "sql_per_request": sum(r["sql_per_request"] for r in results) / n,
                "tmdb_calls": sum(r["tmdb_calls"] for r in results),
                "app_requests": sum(r["app_requests"] for r in results),
            }
            if any("proxy_cache" in r for r in results):  # through nginx: its cache statuses, summed
                rows[target]["proxy_cache"] = dict(
                    sum((Counter(r["proxy_cache"]) for r in results), Counter())
                )
        baseline = rows.get("baseline", {}).get("rps")
        for row in rows.values():
            row["ratio"] = row["rps"] / baseline if baseline else None
        summary[server] = rows
    return summary


def table(summary: dict, targets: list[Target], memory: dict) -> str:
    lines = []
    for server, rows in summary.items():
        lines += [
            f"### {server}",
            "",
            "| target | req/s | p50 ms | p99 ms | vs baseline | view hit rate | of hits from L1 | SQL/req | TMDb calls | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for target in targets:
            row = rows[target.name]
            hit = "—" if row["hit_rate"] is None else f"{row['hit_rate']:.1%}"
            ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
            l1 = "—" if row["l1_share"] is None else f"{row['l1_share']:.0%}"
            lines.append(
                f"| {target.name} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {ratio} "
                f"| {hit} | {l1} | {row['sql_per_request']:.2f} | {row['tmdb_calls']:.0f} | {row['errors']} |"
            )
        mem = memory[server]
        lines += [
            "",
            f"Worker memory (KiB): peak RSS {mem['peak_kib']}, RSS after warm-up {mem['start_kib']} → "
            f"at the end {mem['end_kib']} (per worker, largest).",
            "",
        ]
    return "\n".join(lines)


def conclusion(summary: dict) -> str:
    if len(summary) < 2:
        return "Only one server was measured."
    keys = ["detail_cached", "list_cached", "zipf_mix"]

    def score(rows):
        return sum(rows[key]["rps"] for key in keys if key in rows)

    ranked = sorted(summary, key=lambda name: score(summary[name]), reverse=True)
    first, second = ranked[0], ranked[1]
    gain = score(summary[first]) / score(summary[second]) - 1 if score(summary[second]) else 0
    return (
        f"On the cached reads (detail, list, Zipf mix) **{first}** served {gain:.0%} more requests/s "
        f"than {second} in this run."
    )


def nginx_text(summary: dict) -> str:
    """The issue's nginx target, per server behind nginx: proxy-cache reads against a static file."""
    lines = []
    for server, rows in summary.items():
        cached, file = rows.get("nginx_cached"), rows.get("nginx_file")
        if not cached or not file:
            continue
        ratio = cached["rps"] / file["rps"] if file["rps"] else 0.0
        statuses = cached.get("proxy_cache", {})
        logged = sum(statuses.values())
        hits = f"{statuses.get('HIT', 0) / logged:.2%} of {logged}" if logged else "—"
        others = ", ".join(f"{name} {count}" for name, count in sorted(statuses.items()) if name != "HIT")
        lines.append(
            f"| {server} | {cached['rps']:.0f} | {cached['p99_ms']:.2f} | {file['rps']:.0f} | {file['p99_ms']:.2f} "
            f"| **{ratio:.2f}** ({'met' if ratio >= TARGET_RATIO else 'not met'}) | {hits} | {others or 'none'} "
            f"| {cached['app_requests']:.0f} | {cached['errors'] + file['errors']} |"
        )
    if not lines:
        return ""
    return "\n".join(
        [
            f"### nginx: proxy cache against a static file (target: nginx_cached ≥ {TARGET_RATIO} of nginx_file)",
            "",
            "| server behind nginx | nginx_cached req/s | p99 ms | nginx_file req/s | p99 ms | cached / file "
            "| proxy-cache HITs (of logged requests) | other statuses | requests reaching the app | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
            *lines,
        ]
    )


# The targets on the cached reads, and how a soak counts as "flat".
RATIO_TARGET, P99_TARGET_MS, ZIPF_TARGET, SQL_TARGET = 0.5, 25.0, 0.95, 4
FLAT_GROWTH = 0.05  # the largest worker's RSS may grow at most 5 % over the soak
WARM_TARGETS = (
    "detail_cached",
    "list_cached",
    "popular_cached",
    "genres_cached",
    "search",
    "zipf_mix",
    "tmdb3_detail",
    "tmdb3_popular",
    "popular_signed_in",
    "detail_signed_in",
    "search_signed_in",
    "favorites_signed_in",
    "watchlist_signed_in",
)


# Issue 15's targets: each signed-in read against the anonymous cached read it is judged by.
SIGNED_IN = (
    ("popular_signed_in", "popular_cached", 0.7),
    ("detail_signed_in", "detail_cached", 0.7),
    ("search_signed_in", "search", 0.7),
    ("favorites_signed_in", "popular_cached", 0.4),
    ("watchlist_signed_in", "popular_cached", 0.4),
)
SIGNED_IN_BASES = tuple(dict.fromkeys(base for _, base, _ in SIGNED_IN))
SIGNED_IN_CATALOG = ("popular_signed_in", "detail_signed_in", "search_signed_in")
PERSONAL_LISTS = ("favorites_signed_in", "watchlist_signed_in")
PERSONAL_MISS_SQL = 3  # at most, on the first read of a personal list after the user's own write


def attach(summary: dict, probes: dict) -> dict:
    """The one-request probes (bench/personal.py) beside each server's measured rows."""
    for server, rows in summary.items():
        for name, probe in probes.get(server, {}).items():
            if name in rows:
                rows[name].update(probe)
    return summary


def _verdict(value: float | None, ok: bool, shown: str) -> str:
    return "n/a" if value is None else f"{shown} ({'met' if ok else '**not met**'})"


def _share(rows: dict, name: str, base: str) -> float | None:
    """req/s of `name` over req/s of `base`, when both ran."""
    if name not in rows or not (rows.get(base) or {}).get("rps"):
        return None
    return rows[name]["rps"] / rows[base]["rps"]


def _most(rows: dict, names: tuple[str, ...], key: str) -> float | None:
    values = [rows[name][key] for name in names if rows.get(name, {}).get(key) is not None]
    return max(values) if values else None


def signed_in_checks(row) -> None:
    """The issue-15 rows of the Targets table (see SIGNED_IN)."""
    for name, base, share in SIGNED_IN:
        row(
            f"`{name}` ≥ {share} of `{base}` req/s",
            lambda rows, _, n=name, b=base, s=share: _verdict(
                _share(rows, n, b), (_share(rows, n, b) or 0) >= s, f"{_share(rows, n, b) or 0:.2f}"
            ),
        )
    for names, key, limit, label in (
        (
            SIGNED_IN_CATALOG,
            "sql_per_request",
            0,
            "signed-in popular, detail, search: SQL queries per warm request",
        ),
        (PERSONAL_LISTS, "sql_per_request", 0, "favorites, watchlist: SQL queries per warm request (a hit)"),
        (
            PERSONAL_LISTS,
            "sql_after_write",
            PERSONAL_MISS_SQL,
            "favorites, watchlist: SQL queries on the first read after the user's own write (a miss)",
        ),
    ):
        row(
            f"{label}: {'0' if limit == 0 else f'≤ {limit}'} (largest)",
            lambda rows, _, n=names, k=key, limit=limit: _verdict(
                _most(rows, n, k), (_most(rows, n, k) or 0) <= limit, f"{_most(rows, n, k) or 0:.2f}"
            ),
        )
    row("body bytes per item: favorites, watchlist against popular signed in (a figure, no target)", _bytes)


def _bytes(rows: dict, _server: str) -> str:
    sizes = {
        name: rows.get(f"{name}_signed_in", {}).get("bytes_per_item")
        for name in ("favorites", "watchlist", "popular")
    }
    if sizes["popular"] is None:
        return "n/a"
    return ", ".join(f"{name} {size:.0f} B" for name, size in sizes.items() if size is not None)


def target_checks(summary: dict, soaked: dict) -> list[tuple[str, dict[str, str]]]:
    """(target, {server: "value (met|not met)"}) for each of the issue's targets this run measured."""
    checks: list[tuple[str, dict[str, str]]] = []

    def row(label: str, judge) -> None:
        checks.append((label, {server: judge(rows, server) for server, rows in summary.items()}))

    for name in ("detail_cached", "popular_cached"):
        row(
            f"`{name}` ≥ {RATIO_TARGET} of baseline req/s",
            lambda rows, _, n=name: _verdict(
                (rows.get(n) or {}).get("ratio"),
                ((rows.get(n) or {}).get("ratio") or 0) >= RATIO_TARGET,
                f"{((rows.get(n) or {}).get('ratio') or 0):.2f}",
            ),
        )
        row(
            f"`{name}` p99 ≤ {P99_TARGET_MS:.0f} ms at {CONFIG['connections']} connections",
            lambda rows, _, n=name: _verdict(
                (rows.get(n) or {}).get("p99_ms"),
                ((rows.get(n) or {}).get("p99_ms") or 0) <= P99_TARGET_MS,
                f"{((rows.get(n) or {}).get('p99_ms') or 0):.1f} ms",
            ),
        )
    row(
        "warm reads make zero TMDb calls",
        lambda rows, _: _verdict(
            0 if any(name in rows for name in WARM_TARGETS) else None,
            sum(rows[name]["tmdb_calls"] for name in WARM_TARGETS if name in rows) == 0,
            f"{sum(rows[name]['tmdb_calls'] for name in WARM_TARGETS if name in rows):.0f} calls",
        ),
    )
    row(
        f"Zipf mix view hit rate ≥ {ZIPF_TARGET:.0%}",
        lambda rows, _: _verdict(
            (rows.get("zipf_mix") or {}).get("hit_rate"),
            ((rows.get("zipf_mix") or {}).get("hit_rate") or 0) >= ZIPF_TARGET,
            f"{((rows.get('zipf_mix') or {}).get('hit_rate') or 0):.1%}",
        ),
    )
    row(
        f"SQL queries per request ≤ {SQL_TARGET} (largest mean of any target)",
        lambda rows, _: _verdict(
            0,
            max(r["sql_per_request"] for r in rows.values()) <= SQL_TARGET,
            f"{max(r['sql_per_request'] for r in rows.values()):.2f}",
        ),
    )

    signed_in_checks(row)

    def nginx(rows, _):
        cached, file = rows.get("nginx_cached"), rows.get("nginx_file")
        ratio = cached["rps"] / file["rps"] if cached and file and file["rps"] else None
        return _verdict(ratio, (ratio or 0) >= TARGET_RATIO, f"{ratio or 0:.2f}")

    row(f"nginx proxy-cache reads ≥ {TARGET_RATIO} of nginx serving the bytes from a file", nginx)

    def flat(_, server):
        soak = soaked.get(server)
        if not soak:
            return "n/a (no soak)"
        growth = (soak["last"] - soak["first"]) / soak["first"] if soak["first"] else 0.0
        shown = f"{soak['first'] / 1024:.1f} → {soak['last'] / 1024:.1f} MiB ({growth:+.1%})"
        return _verdict(growth, growth <= FLAT_GROWTH, shown)

    row(f"worker memory flat over the soak (largest worker grows ≤ {FLAT_GROWTH:.0%})", flat)
    return checks


def targets_text(summary: dict, soaked: dict) -> str:
    servers = list(summary)
    lines = [
        "### Targets",
        "",
        "| target | " + " | ".join(servers) + " |",
        "|---|" + "---|" * len(servers),
    ]
    for label, verdicts in target_checks(summary, soaked):
        lines.append(f"| {label} | " + " | ".join(verdicts[server] for server in servers) + " |")
    return "\n".join(lines)


def signed_in_text(summary: dict) -> str:
    """Issue 15's table: each signed-in read beside the anonymous read it is judged by, with the
    one-request probes (SQL warm and after the user's own write, bytes per item, flags merged)."""
    lines = []
    for server, rows in summary.items():
        for name, base, share in SIGNED_IN:
            if name not in rows:
                continue
            mine, theirs = rows[name], rows.get(base) or {}
            ratio = _share(rows, name, base)
            lines.append(
                f"| {server} | {name} | {mine['rps']:.0f} | {mine['p99_ms']:.2f} | {base} "
                f"| {theirs.get('rps', 0):.0f} | {'—' if ratio is None else f'{ratio:.2f}'} (≥ {share}) "
                f"| {mine['sql_per_request']:.2f} | {_figure(mine.get('sql_warm_probe'))} "
                f"| {_figure(mine.get('sql_after_write'))} | {_size(mine)} | {_size(theirs)} | {_flags(mine)} |"
            )
    if not lines:
        return ""
    return "\n".join(
        [
            "### Signed-in reads (the bench user's token; targets in the table above)",
            "",
            "| server | target | req/s | p99 ms | judged against | its req/s | share | SQL/req (run) "
            "| SQL, one warm request | SQL, first read after the user's write | bytes/item (items) "
            "| anonymous bytes/item | flags on the page: favorite / watchlist / watched |",
            "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
            *lines,
        ]
    )


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _size(row: dict) -> str:
    per_item = row.get("bytes_per_item")
    return "—" if per_item is None else f"{per_item:.0f} ({row['items']})"


def _flags(row: dict) -> str:
    counted = row.get("flags")
    if not counted:
        return "—"
    watched = counted.get("watched")
    return f"{counted['favorite']} / {counted['watchlist']} / {'no field' if watched is None else watched}"


def nginx_setup_text() -> str:
    if not NGINX["version"]:
        return ""
    return f"""
nginx targets (`nginx_cached`, `nginx_file`): real {NGINX["version"]} (this machine's) runs the deployment's
config (`nginx/`, rendered for loopback by the deploy tests' harness; `worker_processes auto`) in front of each
server, and wrk sends `Host: localhost` (the rendered `server_name`). The one change to the config: the
per-address `limit_req` rate of the API zone is raised, since every wrk connection comes from 127.0.0.1 (the
limit is still evaluated). `nginx_cached` reads the anonymous movie detail after priming it until nginx answers
`X-Proxy-Cache: HIT`; the HIT share is counted from nginx's JSON access log over each measured run (lines that
were not HITs are kept in `bench-results/nginx-<server>-not-hit.log`), and "requests reaching the app" from the
server's `/metrics`. `nginx_file` is the same response body, written at
start to a file under the static root and served by the `/static/` location with the same `Content-Type`: the
ceiling for the ratio. As deployed, the catalog location writes an access-log line per request and the static
one does not. wrk shares the 2 cores with nginx's workers, so both figures are partly bounded by wrk itself.
"""


def signed_in_setup_text() -> str:
    return """
Signed-in targets (`*_signed_in`): the same URLs as their anonymous counterparts with a bearer token of the
bench user, who keeps favorites, watchlist entries and viewings on those pages (`bench/personal.py` adds
them through the API before measuring: every other movie of popular's first page, movie 550, some search
results, and less popular movies until each personal list holds more than a page). "SQL/req (run)" is the
mean over the measured runs (from `/metrics`, authentication included). After measuring, each server is
probed one request at a time: SQL of one warm request, and SQL of the first read after the user's own
write (a new note on their first favorite, or watchlist entry for the watchlist); body bytes per item
of the uncompressed response; how many items carry each personal flag.
"""


def warmup_text(warmup: dict) -> str:
    return "; ".join(
        f"{server}: {report['requests']} requests, last chunk {report['hit_rate']:.1%}"
        for server, report in warmup.items()
    )


def soak_text(soaked: dict) -> str:
    if not soaked:
        return "No soak run this time (`BENCH_SOAK=300 make bench` adds a 5-minute Zipf run per server)."
    return "Soak: " + "; ".join(
        f"{server} {CONFIG['soak']} s of Zipf mix at {row['rps']:.0f} req/s, largest worker RSS "
        f"{row['first']} → {row['last']} KiB (max {row['max']})"
        for server, row in soaked.items()
    )


def write_report(summary, targets, memory, counts, started, elapsed, unavailable, warmup, soaked) -> None:
    path = ROOT / "docs" / "performance.md"
    notes = ""
    if path.exists() and "<!-- notes -->" in path.read_text():
        notes = path.read_text().split("<!-- notes -->", 1)[1]
    config = CONFIG
    load = " → ".join(f"{value:.1f}" for value in (LOAD["start"], os.getloadavg()[0]))
    text = f"""# Performance

Generated by `make bench` ({started:%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s). Machine: {os.cpu_count()} cores,
1-minute load average {load} (start → end; the end includes the bench's own
wrk, servers and nginx; a start well above 0 means other work shared the CPU and depressed every figure).
The app runs with the production settings on PostgreSQL + Redis, {config["workers"]} workers
x {config["threads"]} threads per server; wrk uses 2 threads and {config["connections"]} connections,
{config["duration"]} s per run, {config["rounds"]} interleaved rounds (req/s and p50 are means over rounds,
p99 the worst round). Catalog: {counts["movies"]} movies ({counts["generated"]} generated from the demo
catalog's shapes), {counts["genres"]} genres. wrk runs on the same 2 cores as the server, so absolute
numbers are lower than on a dedicated load generator; the ratios are what to compare.

Zipf mix: a pre-sampled stream (exponent {ZIPF_EXPONENT}) over every movie. Each server is warmed with it in
4 s chunks until a chunk reaches a {config["warmup_hit_rate"]:.0%} view hit rate or {config["warmup"]} s have gone
({warmup_text(warmup)}); every measured run continues the stream where the previous run stopped, so the
measured hit rate includes first requests for movies never seen before.

Columns: "vs baseline" is req/s over the bare-HttpResponse baseline on the same server; "view hit rate" is
(L1 + L2 hits + stale) / lookups at the view level during the run (from `/metrics`); "SQL/req" is SQL queries
per application request (from `/metrics`); "TMDb calls" are upstream calls made during the run.

{targets_text(summary, soaked)}

{table(summary, targets, memory)}
{conclusion(summary)}

{signed_in_text(summary)}
{signed_in_setup_text()}
{nginx_text(summary)}
{nginx_setup_text()}
{soak_text(soaked)}

Targets reported n/a (not on this build yet; the nginx ones also with BENCH_NGINX=off or no nginx installed):
{", ".join(unavailable) or "none"}.

Targets: {"; ".join(f"`{t.name}` {t.what}" for t in targets)}.

<!-- notes -->{notes}"""
    path.write_text(text)
    (RESULTS / "latest.json").write_text(
        json.dumps({"config": config, "summary": summary, "memory": memory}, indent=2)
    )
