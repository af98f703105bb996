"""make bench-import: import a 5,000-row Letterboxd export against a TMDb double allowing 40 requests/s.

The double serves a generated catalog shaped like TMDb's (testing.tmdb.catalog) and answers 429
(TMDb's code 25, Retry-After: 1) to any request beyond its limit in a sliding one-second window.
The export is a realistic diary: films named by title and year (TMDb's titles "Movie 123" and
"Movie 1234" overlap as substrings), rewatches of the same films, a share of years off by one
(festival vs release year) and films TMDb does not have. The import runs as in production
(ImportService.start, then the task eagerly) in a child process, as a worker runs apart from TMDb
(sharing one interpreter with the double, the import's threads and the double's would hold each
other up and bunch requests), on PostgreSQL when DATABASE_URL is set, else a fresh SQLite file;
the client's rate limiter is shared through Redis when REDIS_URL is set.

Reports seconds, rows/s, match rate, 429s received and rows failed because of TMDb (must be 0).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(ROOT))

from bench.sync.bench_sync import RateLimitedDouble, app_env  # noqa: E402
from testing.tmdb.catalog import seed_catalog  # noqa: E402

DIARY_HEADER = ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"]


def diary(double, ids: list[int], rows: int, rng: random.Random) -> tuple[bytes, int]:
    """(Letterboxd zip, rows naming a film TMDb has): 85 % films, 6 % rewatches, 9 % missing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DIARY_HEADER)
    films = rng.sample(ids, min(len(ids), int(rows * 0.85)))
    missing = rows - len(films) - int(rows * 0.06)
    entries = [(tmdb_id, False) for tmdb_id in films] + [
        (rng.choice(films), True) for _ in range(int(rows * 0.06))
    ]
    for index, (tmdb_id, rewatch) in enumerate(entries):
        movie = double.movies[tmdb_id]
        year = (movie.get("release_date") or "")[:4]
        if year and rng.random() < 0.05:
            year = str(int(year) + rng.choice((-1, 1)))
        day = f"20{10 + index % 15:02d}-{1 + index % 12:02d}-{1 + index % 28:02d}"
        stars = rng.choice(["", "0.5", "2", "3.5", "4", "4.5", "5"])
        writer.writerow(
            [day, movie["title"], year, f"https://boxd.it/{index}", stars, "Yes" if rewatch else "", "", day]
        )
    for index in range(missing):
        writer.writerow(
            ["2024-01-01", f"A Film Nobody Has, Part {index}", "2019", "", "3", "", "", "2024-01-01"]
        )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("diary.csv", buffer.getvalue().encode())
    return archive.getvalue(), rows - missing


def worker_env(workdir: Path, double) -> dict:
    return {**app_env(double, workdir), "CELERY_TASK_ALWAYS_EAGER": "true"}


def run_in_child(env: dict, export: Path) -> tuple[float, dict]:
    """Migrates, imports `export` in a child process (the worker); (seconds, progress)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(export)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(f"the import process failed:\n{child.stderr[-3000:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    return result["seconds"], result["progress"]


def child(export: Path) -> int:
    import django

    django.setup()
    seconds, progress = run(export.read_bytes())
    print(json.dumps({"seconds": seconds, "progress": progress}, default=str))
    return 0


def run(content: bytes) -> tuple[float, dict]:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.imports.models import Import
    from apps.imports.services import ImportService, progress_of

    user = get_user_model().objects.create_user(f"bench-{time.time_ns()}@example.com", "x" * 12)
    started = time.monotonic()
    upload = ImportService(user=user).start(
        source="letterboxd", upload=SimpleUploadedFile("export.zip", content)
    )
    seconds = time.monotonic() - started
    upload = Import.objects.get(pk=upload.pk)
    return seconds, {"status": upload.status, **progress_of(upload)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--limit", type=int, default=40, help="requests/s the double allows")
    parser.add_argument("--output", type=Path, default=ROOT / "bench-results" / "import.json")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # the import process
    args = parser.parse_args()
    if args.child:
        return child(args.child)

    double = RateLimitedDouble(limit=args.limit).start()
    catalog = seed_catalog(double, movies=int(args.rows * 0.9))
    rng = random.Random(20261206)  # noqa: S311 - reproducible test data, not secrets
    content, findable = diary(double, catalog.ids, args.rows, rng)
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    export = workdir / "letterboxd-export.zip"
    export.write_bytes(content)
    seconds, progress = run_in_child(worker_env(workdir, double), export)
    received = double.accepted + double.rejected
    upstream_failures = sum(1 for f in progress["failures"] if "TMDb was unavailable" in f["reason"])
    report = {
        "rows": args.rows,
        "rows_naming_a_film_tmdb_has": findable,
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "rate_limiter": "redis (shared)" if os.environ.get("REDIS_URL") else "per-process",
        "double_limit_per_s": args.limit,
        "status": progress["status"],
        "seconds": round(seconds, 1),
        "rows_per_s": round(args.rows / seconds, 1),
        "counts": progress["counts"],
        "matched_by": progress["matched_by"],
        "match_rate": progress["match_rate"],
        "match_rate_of_findable": round(sum(progress["matched_by"].values()) / findable, 4),
        "upstream_requests": received,
        "http_429_received": double.rejected,
        "rows_failed_because_of_tmdb": upstream_failures,
        "achieved_request_rate": round(received / seconds, 1),
    }
    report["target_met"] = progress["status"] == "done" and upstream_failures == 0
    double.stop()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if report["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
