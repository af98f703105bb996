"""An import through the real broker: the upload's task is published after commit and a Celery
worker (in this process, on our vhost) runs it to `done`."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from apps.history.models import Viewing
from config.celery import app

from .conftest import URL, upload

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
WAIT_SECONDS = 60


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def wait_for_status(client, import_id: int, wanted: str) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        data = client.get(f"{URL}{import_id}/").json()["data"]
        if data["import"]["status"] == wanted or time.monotonic() > deadline:
            return data
        time.sleep(0.2)


def test_a_worker_runs_the_import(client, user, films, worker):
    # when
    response = client.post(
        URL,
        {
            "source": "csv",
            "file": upload("mine.csv", b"tmdb_id,title,watched_on,rating\n348,Alien,2024-10-30,9\n"),
        },
        format="multipart",
    )
    # then
    assert response.status_code == 202
    data = wait_for_status(client, response.json()["data"]["id"], "done")
    assert data["import"]["status"] == "done"
    assert data["counts"]["applied"] == 1
    assert Viewing.objects.get(user=user).rating == 9
