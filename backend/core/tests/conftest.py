"""Fixtures for the cache and metrics tests: a fresh layer, a controllable clock, a staff token."""

import pytest
from conftest import access_token_for

from core.cache import backends, layers, namespaces, stats


@pytest.fixture(autouse=True)
def _fresh_cache_layer():
    layers.reset_local()
    namespaces._pending_bumps.clear()
    backends.reset_breakers()
    stats.reset()
    yield
    layers.reset_local()
    namespaces._pending_bumps.clear()
    backends.reset_breakers()


class FakeClock:
    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wall_clock(monkeypatch) -> FakeClock:
    """Replaces the wall clock the cache layer compares soft expiries with."""
    import time

    fake = FakeClock(time.time())
    monkeypatch.setattr(layers, "now", fake)
    return fake


@pytest.fixture
def staff_token(db) -> str:
    from apps.authentication.models import User

    user = User.objects.create_user("ops@example.com", "a-long-password-1", is_staff=True)
    return access_token_for(user)


@pytest.fixture
def user_token(db) -> str:
    from apps.authentication.models import User

    user = User.objects.create_user("someone@example.com", "a-long-password-1")
    return access_token_for(user)
