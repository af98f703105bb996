"""The job lock: one holder at a time, expiry when the holder dies, takeover detection."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.movies.sync.locks import JobLock, LockHeld, LockLost
from apps.movies.sync.models import SyncLock

pytestmark = pytest.mark.django_db


def test_second_holder_is_refused_with_a_clear_message():
    # given
    first = JobLock("sync_changes", ttl=60)
    first.acquire()

    # when
    with pytest.raises(LockHeld) as raised:
        JobLock("sync_changes", ttl=60).acquire()

    # then
    assert "sync_changes is already running" in str(raised.value)
    assert "pid" in str(raised.value)


def test_lock_is_free_again_after_release():
    # given
    with JobLock("sync_genres", ttl=60):
        pass

    # when
    with JobLock("sync_genres", ttl=60):
        # then
        assert SyncLock.objects.filter(name="sync_genres").count() == 1
    assert not SyncLock.objects.exists()


def test_expired_lock_of_a_dead_holder_is_taken_over():
    # given a holder on another host that stopped renewing
    SyncLock.objects.create(
        name="refresh_stale",
        token="old",
        host="elsewhere",
        pid=1,
        acquired_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() - timedelta(seconds=1),
    )

    # when
    lock = JobLock("refresh_stale", ttl=60)
    lock.acquire()

    # then
    assert SyncLock.objects.get(name="refresh_stale").token == lock.token


def test_live_lock_of_another_host_is_respected_until_it_expires():
    # given
    SyncLock.objects.create(
        name="refresh_stale",
        token="other",
        host="elsewhere",
        pid=1,
        acquired_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=5),
    )

    # when / then
    with pytest.raises(LockHeld):
        JobLock("refresh_stale", ttl=60).acquire()


def test_lock_of_a_dead_process_on_this_host_is_taken_over_at_once():
    # given a row left by a process of this host that no longer exists
    import socket

    SyncLock.objects.create(
        name="sync_movies:popular",
        token="dead",
        host=socket.gethostname(),
        pid=2**22 + 12345,  # above Linux's pid_max: never a live process
        acquired_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=10),
    )

    # when
    lock = JobLock("sync_movies:popular", ttl=60)
    lock.acquire()

    # then
    assert SyncLock.objects.get(name="sync_movies:popular").token == lock.token


def test_renew_pushes_the_expiry_and_detects_a_takeover():
    # given
    lock = JobLock("sync_changes", ttl=60)
    lock.acquire()
    SyncLock.objects.filter(name="sync_changes").update(expires_at=timezone.now() + timedelta(seconds=5))

    # when
    lock.renew(force=True)

    # then
    assert SyncLock.objects.get().expires_at > timezone.now() + timedelta(seconds=50)

    # and when another run took the lock over
    SyncLock.objects.filter(name="sync_changes").update(token="someone-else")
    with pytest.raises(LockLost):
        lock.renew(force=True)


def _held_until(lock: JobLock, seconds: float) -> bool:
    """Whether another run is refused for `seconds` (the holder never calls renew() meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            JobLock(lock.name, ttl=lock.ttl, heartbeat=False).acquire()
        except LockHeld:
            time.sleep(0.2)
            continue
        return False
    return True


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection
def test_a_live_holder_keeps_the_lock_past_its_ttl_without_renewing_by_hand():
    # given: a holder busy in one long step (no renew() call) for three TTLs
    lock = JobLock("sync_changes", ttl=1)
    lock.acquire()
    try:
        # when / then: its heartbeat keeps every other run out
        assert _held_until(lock, 3.0)
        assert SyncLock.objects.get(name="sync_changes").token == lock.token
    finally:
        lock.release()
    assert not SyncLock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_holder_killed_on_another_host_lets_go_within_one_ttl():
    # given: a holder whose process died (its heartbeat stopped; no release ran) in another container
    lock = JobLock("sync_changes", ttl=2)
    lock.acquire()
    lock._stopped.set()
    lock._beating.join()
    SyncLock.objects.filter(name="sync_changes").update(host="another-container")
    died = time.monotonic()
    # when: the redelivered task tries until it gets the lock
    successor = JobLock("sync_changes", ttl=2, heartbeat=False)
    while True:
        try:
            successor.acquire()
            break
        except LockHeld:
            assert time.monotonic() - died < 2 + 1, "the dead holder's lock outlived its TTL"
            time.sleep(0.1)
    # then
    assert SyncLock.objects.get(name="sync_changes").token == successor.token


@pytest.mark.django_db(transaction=True)
def test_a_holder_that_was_taken_over_learns_it_from_the_heartbeat():
    # given
    lock = JobLock("sync_movies:popular", ttl=1)
    lock.acquire()
    # when: another run took the row over
    SyncLock.objects.filter(name="sync_movies:popular").update(token="someone-else")
    time.sleep(1.0)
    # then: the next renew() stops the run, however recently it renewed
    with pytest.raises(LockLost):
        lock.renew()
    lock.release()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_ends_with_its_lock_object():
    # given: a lock dropped without release() (its run is gone)
    lock = JobLock("refresh_stale", ttl=1)
    lock.acquire()
    beating = lock._beating
    # when
    del lock
    # then: the heartbeat stops at its next beat and the row is left to expire
    beating.join(timeout=3)
    assert not beating.is_alive()
