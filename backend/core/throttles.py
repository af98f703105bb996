"""Rate throttles whose counters live in the shared cache only: one atomic increment per request."""

from rest_framework import throttling
from rest_framework.settings import api_settings

from core.cache import counters, keys

CACHE_FORMAT = keys.THROTTLE_FORMAT


class CounterThrottleMixin:
    """Replaces SimpleRateThrottle's read-modify-write history (workers overwrite each other's) by
    an atomic counter over a fixed window that the first request opens. Up to the rate per window
    is allowed however many workers serve it; a sick Redis fails open (the lockout is in the DB)."""

    cache_format = CACHE_FORMAT
    retry_after: int | None = None

    def get_rate(self):
        # Read the rates at request time (DRF binds them at import), so settings can change them.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        hits = counters.hit(self.key, window=self.duration)
        if hits is None or hits <= self.num_requests:
            return True
        self.retry_after = counters.seconds_left(self.key)
        return False

    def wait(self):
        return self.retry_after or self.duration


class AnonRateThrottle(CounterThrottleMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(CounterThrottleMixin, throttling.UserRateThrottle):
    pass
