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
        self._forget_changed_preferences()

    def _forget_changed_preferences(self) -> None:
        """Preferences are part of the cached principal (language, region, adult titles) and
        favourite genres shape "for you": any profile change makes the user's cache stale."""
        from django.db.models.signals import m2m_changed

        from apps.authentication.principal import forget, forget_when_changed

        def genres_changed(sender, instance, *, reverse: bool, pk_set, **kwargs) -> None:
            if not reverse:  # profile.favorite_genres.add(…)
                forget(instance.user_id)
                return
            # genre.fans.add(…), or a genre cleared of its fans (pk_set None): every fan concerned
            fans = profile.objects.filter(pk__in=pk_set) if pk_set else instance.fans.all()
            for user_id in fans.values_list("user_id", flat=True):
                forget(user_id)

        profile = self.get_model("Profile")
        forget_when_changed(profile)
        m2m_changed.connect(
            genres_changed,
            sender=profile.favorite_genres.through,
            dispatch_uid="principal-profile-genres",
            weak=False,
        )
