"""`make loadtest`: start the app under gunicorn, seed it, run locust headless, report the figures.

Environment: LOADTEST_USERS (20), LOADTEST_SPAWN_RATE (10), LOADTEST_SECONDS (30),
LOADTEST_WORKERS (2), LOADTEST_RESULT (.hardening/loadtest.json). With DATABASE_URL/REDIS_URL set
the app uses them; otherwise a temporary SQLite file and local memory.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from processes import ROOT, AppServer  # run as a script from this directory

LOCUSTFILE = ROOT / "backend" / "tests" / "hardening" / "load" / "locustfile.py"
SEED = """
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import RefreshToken
from apps.movies.models import Movie
from apps.movies.tests.factories import MovieFactory
if Movie.objects.count() < 200:
    MovieFactory.create_batch(200)
tokens = []
for n in range({users}):
    user, _ = get_user_model().objects.get_or_create(email=f"load{{n}}@loadtest.local")
    user.email_verified = True
    user.save()
    tokens.append(str(RefreshToken.for_user(user).access_token))
ids = list(Movie.objects.order_by("-popularity").values_list("tmdb_id", flat=True)[:100])
print("TOKENS=" + ",".join(tokens))
print("IDS=" + ",".join(map(str, ids)))
"""


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def seed(app: AppServer, users: int) -> dict:
    app.manage("migrate", "--noinput")
    app.manage("load_demo_catalog")
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SEED.format(users=users)],
        env=app.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def run_locust(app: AppServer, seeded: dict, prefix: Path) -> None:
    users, seconds = setting("LOADTEST_USERS", "20"), setting("LOADTEST_SECONDS", "30")
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    argv += ["-u", users, "-r", setting("LOADTEST_SPAWN_RATE", "10"), "-t", f"{seconds}s"]
    argv += ["--host", app.base_url, "--csv", str(prefix), "--stop-timeout", "5", "--exit-code-on-error", "0"]
    env = {**os.environ, "LOADTEST_TOKENS": seeded["TOKENS"], "LOADTEST_MOVIE_IDS": seeded["IDS"]}
    subprocess.run(argv, env=env, check=True, timeout=int(seconds) + 120)


def summarise(prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests_ = int(total["Request Count"])
    failures = int(total["Failure Count"])
    return {
        "users": int(setting("LOADTEST_USERS", "20")),
        "seconds": int(setting("LOADTEST_SECONDS", "30")),
        "workers": int(setting("LOADTEST_WORKERS", "2")),
        "requests": requests_,
        "failures": failures,
        "error_rate": failures / requests_ if requests_ else 1.0,
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p99_ms": float(total["99%"]),
        "by_endpoint": [
            {
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]),
            }
            for row in rows
            if row["Name"] != "Aggregated"
        ],
    }


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="hrd-load-"))
    env = {"CACHE_KEY_PREFIX": setting("CACHE_KEY_PREFIX", "hrd-load")}
    if not os.environ.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(workdir / "load.sqlite3")
    app = AppServer(env, workers=int(setting("LOADTEST_WORKERS", "2")))
    seeded = seed(app, users=10)
    app.start()
    try:
        run_locust(app, seeded, workdir / "locust")
    finally:
        app.stop()
    result = summarise(workdir / "locust")
    out = Path(setting("LOADTEST_RESULT", str(ROOT / ".hardening" / "loadtest.json")))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(
        f"loadtest: {result['requests']} requests in {result['seconds']} s with {result['users']} users: "
        f"{result['rps']:.1f} req/s, p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
        f"errors {result['failures']} ({result['error_rate']:.2%})"
    )
    return 0 if result["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
