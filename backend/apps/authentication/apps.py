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
        self._forget_changed_users()

    def _forget_changed_users(self) -> None:
        """A saved or deleted user's cached principal (and everything else cached about them) is
        stale once the change commits."""
        from .principal import forget_when_changed

        forget_when_changed(self.get_model("User"), user_id=lambda user: user.pk, new_rows=False)
