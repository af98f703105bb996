"""The circuit breaker opens after consecutive failures, probes once after the cool-down, closes."""

from core.cache.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker


def test_opens_after_threshold_consecutive_failures(clock):
    # given
    opened = []
    breaker = CircuitBreaker(threshold=3, cooldown=5, clock=clock, on_open=lambda: opened.append(1))
    # when
    breaker.record_failure()
    breaker.record_failure()
    still_closed = breaker.allow()
    breaker.record_failure()
    # then
    assert still_closed is True
    assert breaker.state == OPEN
    assert breaker.allow() is False
    assert opened == [1]


def test_a_success_resets_the_failure_count(clock):
    breaker = CircuitBreaker(threshold=2, cooldown=5, clock=clock)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == CLOSED


def test_after_the_cooldown_one_probe_goes_through_and_its_success_closes(clock):
    # given
    breaker = CircuitBreaker(threshold=1, cooldown=5, clock=clock)
    breaker.record_failure()
    # when
    clock.advance(5)
    # then
    assert breaker.state == HALF_OPEN
    assert breaker.allow() is True  # the probe
    assert breaker.allow() is False  # everyone else keeps skipping Redis meanwhile
    breaker.record_success()
    assert breaker.state == CLOSED
    assert breaker.allow() is True


def test_a_failed_probe_opens_the_circuit_for_another_cooldown(clock):
    # given
    breaker = CircuitBreaker(threshold=3, cooldown=5, clock=clock)
    for _ in range(3):
        breaker.record_failure()
    clock.advance(5)
    assert breaker.allow() is True
    # when
    breaker.record_failure()
    # then
    assert breaker.state == OPEN
    clock.advance(4.9)
    assert breaker.allow() is False
    clock.advance(0.1)
    assert breaker.allow() is True
