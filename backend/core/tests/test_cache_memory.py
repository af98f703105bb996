"""L1: bounded size (least recently used goes first), per-entry TTL on a monotonic clock."""

from core.cache.memory import MISSING, LocalMemoryCache


def test_entry_expires_after_its_ttl(clock):
    # given
    l1 = LocalMemoryCache(max_entries=10, clock=clock)
    l1.set("k", "v", ttl=3)
    # when
    clock.advance(2.9)
    before = l1.get("k")
    clock.advance(0.2)
    after = l1.get("k")
    # then
    assert before == "v"
    assert after is MISSING
    assert len(l1) == 0


def test_size_is_bounded_and_the_least_recently_used_goes_first(clock):
    # given
    l1 = LocalMemoryCache(max_entries=3, clock=clock)
    for key in "abc":
        l1.set(key, key, ttl=60)
    l1.get("a")  # "b" is now the least recently used
    # when
    l1.set("d", "d", ttl=60)
    # then
    assert len(l1) == 3
    assert l1.get("b") is MISSING
    assert [l1.get(key) for key in "acd"] == ["a", "c", "d"]


def test_items_larger_than_the_limit_are_refused(clock):
    l1 = LocalMemoryCache(max_entries=10, max_item_bytes=10, clock=clock)
    assert l1.set("small", b"12345", ttl=60) is True
    assert l1.set("big", b"x" * 11, ttl=60) is False
    assert l1.get("big") is MISSING


def test_a_zero_ttl_or_a_disabled_cache_stores_nothing(clock):
    assert LocalMemoryCache(max_entries=10, clock=clock).set("k", "v", ttl=0) is False
    assert LocalMemoryCache(max_entries=0, clock=clock).set("k", "v", ttl=5) is False


def test_none_is_a_value_not_a_miss(clock):
    l1 = LocalMemoryCache(max_entries=10, clock=clock)
    l1.set("k", None, ttl=5)
    assert l1.get("k") is None


def test_delete_and_clear(clock):
    l1 = LocalMemoryCache(max_entries=10, clock=clock)
    l1.set("a", 1, ttl=5)
    l1.set("b", 2, ttl=5)
    l1.delete("a")
    assert l1.get("a") is MISSING
    l1.clear()
    assert l1.get("b") is MISSING
