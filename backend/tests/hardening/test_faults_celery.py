"""A Celery worker killed (SIGKILL) mid-task: the task is redelivered, reruns, and the end state
equals one clean run. Real broker (our own queue on it), real worker processes, the TMDb double.

It runs on the configured broker (RabbitMQ in CI: redelivery as soon as the connection drops) and
on Redis, the broker docker-compose.yml deploys, where an unacked message comes back only after
the transport's visibility_timeout (settings CELERY_BROKER_TRANSPORT_OPTIONS; kombu's own default
is an hour). The Redis broker is CELERY_REDIS_BROKER_URL, else REDIS_URL (own queue names)."""

import os
import signal
import sqlite3
import uuid

import pytest

from testing.tmdb.double import API_KEY, TMDbDouble

from .support.processes import ROOT, delete_queue, manage, start_worker, stop, wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]

MOVIE_IDS = list(range(7001, 7025))
# Short, so the test sees the redelivery; longer than the task takes (24 movies at 0.25 s), so a run in
# progress is not handed out a second time.
VISIBILITY_TIMEOUT = 15
BROKERS = {
    "configured-broker": lambda: os.environ["CELERY_BROKER_URL"],
    "redis-broker": lambda: os.environ.get("CELERY_REDIS_BROKER_URL") or os.environ["REDIS_URL"],
}
SNAPSHOT_SQL = """
SELECT m.tmdb_id, m.title, m.overview, m.runtime, m.vote_average, m.release_date, m.is_active,
       (SELECT group_concat(g.tmdb_id) FROM movies_movie_genre mg JOIN movies_genre g ON g.id = mg.genre_id
        WHERE mg.movie_id = m.id) AS genres
FROM movies_movie m ORDER BY m.tmdb_id
"""


@pytest.fixture
def upstream():
    double = TMDbDouble().start()
    for tmdb_id in MOVIE_IDS:
        double.add_movie(tmdb_id, title=f"Kill Test {tmdb_id}", genre_ids=[18, 35])
    yield double
    double.stop()


def worker_env(db_path, upstream, broker_url: str) -> dict:
    return {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PYTHONPATH": str(ROOT / "backend"),
        "SQLITE_PATH": str(db_path),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "TMDB_BASE_URL": upstream.base_url,
        "TMDB_API_KEY": API_KEY,
        "TMDB_READ_ACCESS_TOKEN": "",
        "SYNC_CONCURRENCY": "1",
        "SYNC_PARALLEL_WRITES": "false",
        "LOG_LEVEL": "WARNING",
    }


def snapshot(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute(SNAPSHOT_SQL).fetchall()


def synced(db_path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return db.execute(
                "SELECT count(*) FROM movies_movie WHERE last_synced_at IS NOT NULL"
            ).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(params=sorted(BROKERS))
def broker_url(request) -> str:
    return BROKERS[request.param]()


@pytest.fixture
def queue(broker_url):
    """A queue of our own on the shared broker, deleted afterwards."""
    name = f"hrd-kill-{uuid.uuid4().hex[:8]}"
    yield name
    delete_queue(broker_url, name)


def test_worker_killed_mid_task_reruns_to_the_clean_end_state(tmp_path, upstream, broker_url, queue):
    killed_db, clean_db = tmp_path / "killed.sqlite3", tmp_path / "clean.sqlite3"
    env = worker_env(killed_db, upstream, broker_url)
    manage(env, "migrate", "--noinput")
    # given a slow TMDb, so the task is mid-way when the worker dies
    upstream.fail("movie/", delay=0.25, status=200, times=None)
    first = start_worker(env, queue)
    try:
        enqueue = f"from apps.movies.tasks import resync_movies; resync_movies.apply_async(args=[{MOVIE_IDS}], queue='{queue}')"
        manage(env, "shell", "-c", enqueue)
        assert wait_until(lambda: synced(killed_db) >= 3, timeout=90, interval=0.1), "the task never started"
        # when the worker is killed outright
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        partial = synced(killed_db)
        assert partial < len(MOVIE_IDS), "the task finished before the kill; slow TMDb down more"
        # and a new worker comes up
        second = start_worker(env, queue)
        try:
            # then the message is redelivered and the task runs to completion
            done = wait_until(lambda: synced(killed_db) == len(MOVIE_IDS), timeout=120, interval=0.2)
        finally:
            stop(second)
    finally:
        stop(first)
    assert done, f"only {synced(killed_db)} of {len(MOVIE_IDS)} synced after the rerun (partial {partial})"
    # and the end state equals one clean, uninterrupted run
    upstream.clear_faults()
    clean_env = {**worker_env(clean_db, upstream, broker_url), "CELERY_TASK_ALWAYS_EAGER": "true"}
    manage(clean_env, "migrate", "--noinput")
    manage(
        clean_env,
        "shell",
        "-c",
        f"from apps.movies.tasks import resync_movies; resync_movies.apply(args=[{MOVIE_IDS}])",
    )
    assert snapshot(killed_db) == snapshot(clean_db)
    assert len(snapshot(clean_db)) == len(MOVIE_IDS)
