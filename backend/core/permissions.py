"""Custom permission classes."""

from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    """Allows staff users only."""

    message = "Staff access required."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsEmailVerified(BasePermission):
    """Writes to personal collections need a verified email (403 `email_not_verified`)."""

    def has_permission(self, request, view) -> bool:
        from .exceptions import EmailNotVerified

        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS") or user.email_verified:
            return True
        raise EmailNotVerified()
