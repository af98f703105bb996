"""App config for users."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.authentication.services import auth

        from .services import UserService

        def create_profile(*, user, display_name: str = "") -> None:
            UserService().create_profile(user=user, display_name=display_name)

        if not any(
            getattr(hook, "__qualname__", "").endswith("create_profile")
            for hook in auth.ACCOUNT_CREATED_HOOKS
        ):
            auth.ACCOUNT_CREATED_HOOKS.append(create_profile)
