"""The layered cache: hits, cached None, single flight, stale-while-revalidate, negative caching,
namespace versions, L2 failures falling through to the source."""

import sys
import threading
import time

import pytest
from django_redis.exceptions import ConnectionInterrupted

from core import cache
from core.cache import layers, stats


class Producer:
    """Counts its calls; returns the next value of a sequence, or raises."""

    def __init__(self, *values, delay: float = 0.0, error: BaseException | None = None):
        self.values = list(values) or [None]
        self.calls = 0
        self.delay = delay
        self.error = error
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
            index = min(self.calls, len(self.values)) - 1
        if self.delay:
            time.sleep(self.delay)
        if self.error:
            raise self.error
        return self.values[index]


def test_a_miss_computes_and_the_next_call_hits():
    producer = Producer({"title": "Fight Club"})
    assert cache.get_or_set("k", producer, ttl=60) == {"title": "Fight Club"}
    assert cache.get_or_set("k", producer, ttl=60) == {"title": "Fight Club"}
    assert producer.calls == 1
    assert stats.count("service", "l2", "miss") == 1
    assert stats.count("service", "l2", "hit") == 1


def test_a_cached_none_is_a_hit():
    producer = Producer(None)
    assert cache.get_or_set("nothing", producer, ttl=60) is None
    assert cache.get_or_set("nothing", producer, ttl=60) is None
    assert producer.calls == 1


def test_view_level_uses_l1_and_service_level_does_not_by_default():
    # given
    cache.get_or_set("view-key", Producer("v"), ttl=60, level="view")
    cache.get_or_set("service-key", Producer("s"), ttl=60, level="service")
    # when
    cache.get_or_set("view-key", Producer("other"), ttl=60, level="view")
    cache.get_or_set("service-key", Producer("other"), ttl=60, level="service")
    # then
    assert stats.count("view", "l1", "hit") == 1
    assert stats.count("service", "l1", "hit") == 0
    assert stats.count("service", "l2", "hit") == 1


def test_service_level_can_ask_for_l1():
    cache.get_or_set("genres", Producer(["Drama"]), ttl=60, l1=True)
    assert cache.get_or_set("genres", Producer(["other"]), ttl=60, l1=True) == ["Drama"]
    assert stats.count("service", "l1", "hit") == 1


def test_single_flight_one_thread_computes_the_others_wait_for_its_value():
    # given
    producer = Producer("computed once", delay=0.2)
    barrier = threading.Barrier(8)
    results = []

    def worker():
        barrier.wait()
        results.append(cache.get_or_set("hot", producer, ttl=60, wait=2.0))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    # then
    assert producer.calls == 1
    assert results == ["computed once"] * 8


def test_a_stale_value_is_served_while_another_caller_refreshes(wall_clock):
    # given a value past its soft expiry, and someone else holding the refresh lock
    cache.get_or_set("k", Producer("old"), ttl=10)
    wall_clock.advance(11)
    token = layers._acquire("k")
    producer = Producer("new")
    # when
    lookup = layers.fetch("k", producer, ttl=10)
    # then
    assert (lookup.value, lookup.status) == ("old", layers.STALE)
    assert producer.calls == 0
    assert stats.count("service", "l2", "stale") == 1
    layers._release("k", token)


def test_the_caller_who_gets_the_lock_refreshes_a_stale_value(wall_clock):
    cache.get_or_set("k", Producer("old"), ttl=10)
    wall_clock.advance(11)
    assert cache.get_or_set("k", Producer("new"), ttl=10) == "new"
    assert cache.get_or_set("k", Producer("newer"), ttl=10) == "new"


def test_a_failed_refresh_serves_the_stale_value(wall_clock):
    cache.get_or_set("k", Producer("old"), ttl=10)
    wall_clock.advance(11)
    lookup = layers.fetch("k", Producer(error=ConnectionError("upstream down")), ttl=10)
    assert (lookup.value, lookup.status) == ("old", layers.STALE)


def test_a_refresh_that_answers_not_found_is_not_papered_over(wall_clock):
    cache.get_or_set("k", Producer("old"), ttl=10)
    wall_clock.advance(11)
    gone = Producer(error=LookupError("gone upstream"))
    options = {"ttl": 10, "negative_ttl": 30, "negative_on": (LookupError,)}
    with pytest.raises(LookupError):
        cache.get_or_set("k", gone, **options)
    with pytest.raises(LookupError):
        cache.get_or_set("k", gone, **options)
    assert gone.calls == 1


def test_past_the_stale_window_the_value_is_gone():
    cache.get_or_set("k", Producer("old"), ttl=1, stale_ttl=0)
    time.sleep(1.1)
    assert cache.get_or_set("k", Producer("new"), ttl=1) == "new"


def test_failures_are_cached_briefly_when_the_caller_asks():
    # given
    producer = Producer(error=LookupError("no such movie"))
    options = {"ttl": 60, "negative_ttl": 30, "negative_on": (LookupError,)}
    # when
    for _ in range(3):
        with pytest.raises(LookupError):
            cache.get_or_set("missing", producer, **options)
    # then
    assert producer.calls == 1


def test_failures_are_not_cached_unless_asked():
    producer = Producer(error=LookupError("no such movie"))
    for _ in range(2):
        with pytest.raises(LookupError):
            cache.get_or_set("missing", producer, ttl=60)
    assert producer.calls == 2


def test_ttls_carry_jitter():
    values = {round(layers.jittered(100.0), 6) for _ in range(50)}
    assert all(90.0 <= value <= 100.0 for value in values)
    assert len(values) > 1


def test_a_namespace_bump_invalidates_every_key_built_with_it():
    # given
    def key(movie_id):
        return f"list:{cache.namespace_version('lists')}:{movie_id}"

    cache.get_or_set(key(1), Producer("a"), ttl=60)
    cache.get_or_set(key(2), Producer("b"), ttl=60)
    before = cache.namespace_version("lists")
    # when
    after = cache.bump_namespace("lists")
    # then
    assert after != before
    assert cache.namespace_version("lists") == after
    assert cache.get_or_set(key(1), Producer("a2"), ttl=60) == "a2"
    assert cache.get_or_set(key(2), Producer("b2"), ttl=60) == "b2"


def test_with_no_reuse_other_processes_see_a_bump_at_once(settings):
    # given versions are read from Redis on every call, and this process has read one
    settings.CACHE_NAMESPACE_L1_TTL = 0
    old = cache.namespace_version("lists")
    # when another process bumps it (straight in L2, so not in this process's L1)
    layers.l2_call("incr", cache.keys.namespace("lists"))
    # then the very next read sees it
    assert cache.namespace_version("lists") == old + 1


def test_with_a_namespace_ttl_other_processes_see_a_bump_within_it(settings, clock, monkeypatch):
    # given versions may be reused for CACHE_NAMESPACE_L1_TTL seconds
    settings.CACHE_NAMESPACE_L1_TTL = 3
    settings.CACHE_L1_TTL = 3
    monkeypatch.setattr(layers.versions(), "_clock", clock)
    old = cache.namespace_version("lists")
    # when another process bumps it
    layers.l2_call("incr", cache.keys.namespace("lists"))
    # then this process sees the old one at most that long
    clock.advance(2.9)
    assert cache.namespace_version("lists") == old
    clock.advance(0.2)
    assert cache.namespace_version("lists") == old + 1


def test_several_namespaces_are_read_in_one_round_trip(monkeypatch):
    # given three families that exist, and a spy on every Redis operation
    expected = [cache.namespace_version(name, reuse_for=0) for name in ("a", "b", "c")]
    operations = []
    real_call = layers.l2_call
    monkeypatch.setattr(
        "core.cache.namespaces.l2_call", lambda op, *a, **k: operations.append(op) or real_call(op, *a, **k)
    )
    # when a view reads all three
    found = cache.namespaces.namespace_versions(["a", "b", "c"], reuse_for=0)
    # then one MGET answered them, in order
    assert found == expected
    assert operations == ["get_many"]


def test_versions_of_new_and_existing_namespaces_come_back_in_order():
    existing = cache.namespace_version("old", reuse_for=0)
    found = cache.namespaces.namespace_versions(["new", "old", "new"], reuse_for=0)
    assert found[1] == existing
    assert found[0] == found[2] > 1_600_000_000_000


def test_within_the_reuse_window_no_redis_call_is_made(settings, monkeypatch):
    # given a version read a moment ago with the default window
    settings.CACHE_NAMESPACE_L1_TTL = 1.0
    cache.namespace_version("lists")
    monkeypatch.setattr(
        "core.cache.namespaces.l2_call", lambda *a, **k: pytest.fail("Redis was asked within the window")
    )
    monkeypatch.setattr(
        "core.cache.namespaces.l2_get", lambda *a, **k: pytest.fail("Redis was asked within the window")
    )
    # when it is read again, then the local copy answers
    assert cache.namespace_version("lists") > 0


def test_a_bump_in_this_process_is_seen_at_once_even_within_the_window(settings):
    settings.CACHE_NAMESPACE_L1_TTL = 60
    old = cache.namespace_version("lists")
    cache.bump_namespace("lists")
    assert cache.namespace_version("lists") == old + 1


def test_a_new_namespace_starts_from_the_clock_not_from_one():
    assert cache.namespace_version("fresh") > 1_600_000_000_000


def test_a_ttl_of_none_means_until_deleted(wall_clock):
    cache.set("forever", "v", ttl=None)
    cache.get_or_set("computed", Producer("c"), ttl=None)
    wall_clock.advance(10 * 365 * 24 * 3600)
    assert cache.get("forever") == "v"
    assert cache.get_or_set("computed", Producer("other"), ttl=None) == "c"


class OldShape:
    """A cached value's class that a later release renames."""


def test_a_value_this_release_cannot_read_is_a_miss(monkeypatch):
    # given a stored value whose class no longer exists (as after a deploy that renamed it)
    cache.set("k", OldShape(), ttl=60)
    monkeypatch.delattr(sys.modules[__name__], "OldShape")
    # when / then
    assert cache.get("k", default="miss") == "miss"
    assert cache.get_or_set("k", Producer("recomputed"), ttl=60) == "recomputed"


def test_get_set_delete():
    cache.set("k", {"a": 1}, ttl=60)
    cache.set("none", None, ttl=60)
    assert cache.get("k") == {"a": 1}
    assert cache.get("none") is None
    assert cache.get("absent", default="d") == "d"
    cache.delete("k")
    assert cache.get("k") is None


def test_get_does_not_return_a_value_past_its_ttl(wall_clock):
    cache.set("k", "v", ttl=10)
    wall_clock.advance(11)
    assert cache.get("k", default="gone") == "gone"


def test_bypass_skips_the_cache():
    producer = Producer("v")
    with cache.bypass():
        cache.get_or_set("k", producer, ttl=60)
        cache.get_or_set("k", producer, ttl=60)
    assert producer.calls == 2
    assert cache.get("k") is None


def test_cache_disabled_by_setting(settings):
    settings.CACHE_ENABLED = False
    producer = Producer("v")
    cache.get_or_set("k", producer, ttl=60)
    cache.get_or_set("k", producer, ttl=60)
    assert producer.calls == 2


@pytest.fixture
def broken_l2(monkeypatch):
    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionInterrupted(connection=None)

            return fail

    monkeypatch.setattr(layers, "_client", lambda: Broken())


def test_an_unavailable_l2_falls_through_to_the_source(broken_l2):
    producer = Producer("from the database")
    assert cache.get_or_set("k", producer, ttl=60) == "from the database"
    assert producer.calls == 1
    assert stats.count("service", "l2", "error") == 1


def test_while_l2_is_down_every_level_keeps_a_short_copy_in_l1(broken_l2, settings, clock, monkeypatch):
    # given
    settings.CACHE_L1_TTL = 3
    monkeypatch.setattr(layers.memory(), "_clock", clock)
    producer = Producer("one", "two")
    # when
    first = cache.get_or_set("k", producer, ttl=60, level="query")
    clock.advance(2.9)
    second = cache.get_or_set("k", producer, ttl=60, level="query")
    clock.advance(0.2)
    third = cache.get_or_set("k", producer, ttl=60, level="query")
    # then the source saw one call per L1 lifetime, not one per read
    assert (first, second, third) == ("one", "one", "two")
    assert producer.calls == 2


def test_plain_operations_survive_an_unavailable_l2(broken_l2):
    assert cache.get("k", default="d") == "d"
    cache.set("k", "v", ttl=60)
    cache.delete("k")


def test_with_l2_down_view_level_still_keeps_values_in_l1(broken_l2):
    producer = Producer("bytes")
    cache.get_or_set("k", producer, ttl=60, level="view")
    cache.get_or_set("k", producer, ttl=60, level="view")
    assert producer.calls == 1


def test_a_bump_while_l2_is_down_is_replayed_when_it_answers(monkeypatch):
    # given
    before = cache.namespace_version("lists")
    real_client = layers._client
    monkeypatch.setattr(layers, "_client", lambda: (_ for _ in ()).throw(ConnectionInterrupted(None)))
    # when
    cache.bump_namespace("lists")
    monkeypatch.setattr(layers, "_client", real_client)
    layers.reset_local()
    # then
    assert cache.namespace_version("lists") == before + 1
