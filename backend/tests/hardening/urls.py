"""Hardening test routes: the project's URLconf plus an echo view on the project's default parsers."""

from django.urls import path
from rest_framework.views import APIView

from config.urls import handler400  # noqa: F401 - the project's error handler applies here too
from config.urls import urlpatterns as project_urlpatterns
from core.responses import APIResponse

ECHO_PATH = "/api/v1/_hardening/echo/"


class EchoView(APIView):
    """Parses the body with the default parser classes (as every product view does) and echoes it."""

    def post(self, request):
        return APIResponse({"received": request.data})


urlpatterns = [
    path(ECHO_PATH.lstrip("/"), EchoView.as_view()),
    *project_urlpatterns,
]
