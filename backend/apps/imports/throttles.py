"""The imports throttle: uploads per user (each can mean thousands of TMDb lookups)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class ImportUploadThrottle(UserRateThrottle):
    scope = "imports"

    def get_rate(self):
        # Read at request time (DRF binds rates at import), so settings can change them.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)
