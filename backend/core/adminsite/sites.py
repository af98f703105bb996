"""MovieNexusAdminSite: Django's admin site for staff only, with throttled login attempts."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from . import throttling


class MovieNexusAdminSite(admin.AdminSite):
    """Only active staff get in (Django's `has_permission`); failed logins are throttled."""

    site_header = "Movie Nexus administration"
    site_title = "Movie Nexus admin"
    index_title = "Catalog, people and their lists"
    site_url = "/api/docs/"  # "View site": this product's face is its API

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        attempt = throttling.LoginAttempt.from_request(request)
        if throttling.is_locked_out(attempt):
            return self.throttled_response(request)
        response = super().login(request, extra_context)
        if request.user.is_authenticated and request.user.is_staff:
            throttling.reset(attempt)
        else:
            throttling.record_failure(attempt)
        return response

    def throttled_response(self, request: HttpRequest) -> HttpResponse:
        retry_after = settings.ADMIN_LOGIN_LOCKOUT_SECONDS
        context = {
            **self.each_context(request),
            "title": "Too many login attempts",
            "retry_after_minutes": max(1, retry_after // 60),
        }
        response = TemplateResponse(request, "admin/login_throttled.html", context, status=429)
        response["Retry-After"] = str(retry_after)
        return response
