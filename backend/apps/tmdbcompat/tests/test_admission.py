"""Keyed reads without a Redis round trip each: each process's copy of a key, revoked at once in
every process, and counts sent in batches that keep the rate limit and the usage counts right."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apps.tmdbcompat.apikeys import ApiKeyService, admission
from apps.tmdbcompat.errors import InvalidApiKey, RateLimited
from apps.tmdbcompat.gate import gate
from apps.tmdbcompat.managers import hash_key
from core.cache.broadcast import TICK

pytestmark = [pytest.mark.services, pytest.mark.django_db]

BACKEND = Path(__file__).resolve().parents[3]


def admit_until_held(raw: str, timeout: float = 10.0) -> int:
    """Admits until this process holds the key (its listener subscribed); returns how many it took."""
    deadline, count = time.monotonic() + timeout, 0
    while not admission.holds(hash_key(raw)):
        assert time.monotonic() < deadline, "the key is never held: revocations are not heard"
        ApiKeyService.admit(raw)
        count += 1
        time.sleep(0.01)
    return count


class OtherProcess:
    """A second process on the same Redis (other_process.py), admitting when asked."""

    def __init__(self, raw: str):
        env = {**os.environ, "PYTHONPATH": str(BACKEND)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "apps.tmdbcompat.tests.other_process", raw],
            cwd=BACKEND, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def admit(self) -> tuple[str, str]:
        self.process.stdin.write("admit\n")
        self.process.stdin.flush()
        outcome, held = self.process.stdout.readline().split()
        return outcome, held

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def test_a_key_revoked_here_is_refused_at_once_by_another_process(django_capture_on_commit_callbacks):
    # given a key whose lookup is in Redis, and another process admitting it from its own copy
    _, raw = ApiKeyService.create(name="shared")
    ApiKeyService.admit(raw)
    other = OtherProcess(raw)
    try:
        deadline = time.monotonic() + 15
        while other.admit() != ("admitted", "held"):
            assert time.monotonic() < deadline, "the other process never holds the key"
            time.sleep(0.05)
        # when this process revokes it (the revocation returns once every listener has dropped it)
        with django_capture_on_commit_callbacks(execute=True):
            assert ApiKeyService.revoke(name="shared") is True
        # then the other process refuses the very next request
        assert other.admit() == ("refused-7", "asks")
    finally:
        other.stop()


def test_most_requests_are_admitted_without_a_round_trip(monkeypatch):
    # given a key of the default rate (2400 a minute: batches of 24), held by this process
    _, raw = ApiKeyService.create(name="busy")
    admit_until_held(raw)
    calls = []
    real_sync = gate.sync
    monkeypatch.setattr(gate, "sync", lambda *args, **kwargs: calls.append(1) or real_sync(*args, **kwargs))
    # when it makes 240 requests
    for _ in range(240):
        ApiKeyService.admit(raw)
    # then Redis was asked about once per batch, not once per request
    assert 9 <= len(calls) <= 12


def test_the_limit_is_exact_near_it_and_every_request_is_counted(settings):
    # given a key allowed 300 a minute (batches of 3), its counts written to the row every request
    settings.TMDB_COMPAT_USAGE_BATCH = 10**6
    _, raw = ApiKeyService.create(name="metered", rate_limit=300)
    held = admit_until_held(raw)
    # when it makes requests up to its limit, then one more
    for _ in range(300 - held):
        ApiKeyService.admit(raw)
    with pytest.raises(RateLimited) as refused:
        ApiKeyService.admit(raw)
    # then the 301st is refused within the minute, and Redis has every request and the refusal
    assert 1 <= refused.value.retry_after <= 61
    assert gate.pending([hash_key(raw)])[hash_key(raw)] == (300, 1)


def test_counts_held_by_an_idle_process_reach_redis_within_a_tick():
    # given a held key, and two requests admitted here without a round trip
    _, raw = ApiKeyService.create(name="idle")
    held = admit_until_held(raw)
    ApiKeyService.admit(raw)
    ApiKeyService.admit(raw)
    # when nothing else happens for a few ticks
    deadline = time.monotonic() + 6 * TICK
    while gate.pending([hash_key(raw)])[hash_key(raw)][0] < held + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    # then Redis counts them all
    assert gate.pending([hash_key(raw)])[hash_key(raw)] == (held + 2, 0)


def test_without_a_trusted_subscription_every_request_asks_redis(monkeypatch):
    # given the revocation listener not trusted (unsubscribed, or silent)
    _, raw = ApiKeyService.create(name="unheard")
    monkeypatch.setattr(admission.listener, "trusted_since", lambda: None)
    ApiKeyService.admit(raw)  # the first one reads the key from the database: two calls
    calls = []
    real_sync = gate.sync
    monkeypatch.setattr(gate, "sync", lambda *args, **kwargs: calls.append(1) or real_sync(*args, **kwargs))
    # when it makes 30 requests
    for _ in range(30):
        ApiKeyService.admit(raw)
    # then each was one call (the key check of before), and the key is never held here
    assert len(calls) == 30
    assert not admission.holds(hash_key(raw))


def test_a_revocation_heard_drops_the_copy_that_a_racing_lookup_would_keep(
    django_capture_on_commit_callbacks,
):
    # given a held key, revoked
    _, raw = ApiKeyService.create(name="raced-copy")
    admit_until_held(raw)
    with django_capture_on_commit_callbacks(execute=True):
        ApiKeyService.revoke(name="raced-copy")
    # then this process holds it no more and refuses it
    assert not admission.holds(hash_key(raw))
    with pytest.raises(InvalidApiKey):
        ApiKeyService.admit(raw)


def test_the_admin_shows_the_counts_still_in_redis(settings):
    from core.adminsite.testing import client_for, make_staff

    # given 7 requests counted in Redis, none written to the row yet
    settings.TMDB_COMPAT_USAGE_BATCH = 1000
    settings.TMDB_COMPAT_COUNT_BATCH = 1
    api_key, raw = ApiKeyService.create(name="counted")
    for _ in range(7):
        ApiKeyService.admit(raw)
    api_key.refresh_from_db()
    assert api_key.request_count == 0
    # when staff open the key
    page = client_for(make_staff(superuser=True)).get(f"/admin/tmdbcompat/apikey/{api_key.pk}/change/")
    # then its requests say 7
    assert page.status_code == 200
    assert '<div class="readonly">7</div>' in page.content.decode()


def test_a_stopping_process_sends_what_it_counted():
    # given two requests admitted here and not sent yet
    _, raw = ApiKeyService.create(name="stopping")
    held = admit_until_held(raw)
    ApiKeyService.admit(raw)
    ApiKeyService.admit(raw)
    assert gate.pending([hash_key(raw)])[hash_key(raw)] == (held, 0)
    # when the process exits (its atexit hook)
    admission.send_idle(older_than=0)
    # then Redis has every request at once
    assert gate.pending([hash_key(raw)])[hash_key(raw)] == (held + 2, 0)
