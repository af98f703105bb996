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
        stale once the change commits: whatever saved it (a service, the admin, a shell)."""
        from django.db.models.signals import post_delete, post_save

        from .principal import forget

        def changed(sender, instance, **kwargs) -> None:
            forget(instance.pk)

        # weak=False: `changed` lives only in this closure, a weak reference would drop it at once.
        user_model = self.get_model("User")
        post_save.connect(changed, sender=user_model, dispatch_uid="principal-user-saved", weak=False)
        post_delete.connect(changed, sender=user_model, dispatch_uid="principal-user-deleted", weak=False)
