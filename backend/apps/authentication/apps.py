"""App config for authentication."""

from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "apps.authentication"
    label = "authentication"
    # Not "Authentication": next to Django's own auth app it read as two of the same thing.
    verbose_name = "Accounts and sign-in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.adminsite import throttling

        from . import schema  # noqa: F401 - registers the OpenAPI authentication extension
        from .services.lockout import AdminLoginLockout

        throttling.use_account_lockout(AdminLoginLockout())  # one lockout for the API and the admin
