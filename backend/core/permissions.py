"""Custom permission classes."""

from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    """Allows staff users only."""

    message = "Staff access required."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
