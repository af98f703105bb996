"""Test-only routes: views that fail on purpose, added to the real URLconf."""

from django.urls import path
from rest_framework.parsers import JSONParser
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from core.exceptions import UpstreamUnavailable
from core.responses import APIResponse


class BoomView(APIView):
    def get(self, request):
        raise RuntimeError("boom")


class EchoView(APIView):
    parser_classes = [JSONParser]

    def post(self, request):
        return APIResponse({"received": request.data})


class OnePerMinuteThrottle(AnonRateThrottle):
    rate = "1/min"
    scope = "test-one"


class ThrottledView(APIView):
    throttle_classes = [OnePerMinuteThrottle]

    def get(self, request):
        return APIResponse({"ok": True})


class UpstreamDownView(APIView):
    def get(self, request):
        raise UpstreamUnavailable(retry_after=42)


def plain_django_boom(request):
    raise ValueError("plain Django view failure")


urlpatterns = [
    path("api/v1/_test/boom/", BoomView.as_view()),
    path("api/v1/_test/echo/", EchoView.as_view()),
    path("api/v1/_test/throttled/", ThrottledView.as_view()),
    path("api/v1/_test/upstream/", UpstreamDownView.as_view()),
    path("api/v1/_test/plain-boom/", plain_django_boom),
    *project_urlpatterns,
]
