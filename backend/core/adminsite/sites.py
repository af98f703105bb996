"""MovieNexusAdminSite: Django's admin site for staff only, with throttled login attempts."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from . import throttling


class MovieNexusAdminSite(admin.AdminSite):
    """Only active staff get in (Django's `has_permission`); logins share the API's account lockout."""

    site_header = "Movie Nexus administration"
    site_title = "Movie Nexus admin"
    index_title = "Catalog, people and their lists"
    site_url = "/api/docs/"  # "View site": this product's face is its API

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        attempt = throttling.LoginAttempt.from_request(request)
        try:
            throttling.reserve(attempt)
        except throttling.LockedOut as locked:
            return self.throttled_response(request, retry_after=locked.wait)
        response = super().login(request, extra_context)
        if request.user.is_authenticated and request.user.is_staff:
            throttling.succeeded(attempt)
        return response

    def throttled_response(self, request: HttpRequest, *, retry_after: int) -> HttpResponse:
        context = {
            **self.each_context(request),
            "title": "Too many login attempts",
            "retry_after_minutes": max(1, retry_after // 60),
        }
        response = TemplateResponse(request, "admin/login_throttled.html", context, status=429)
        response["Retry-After"] = str(retry_after)
        return response
