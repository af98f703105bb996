"""App config for favorites."""

from django.apps import AppConfig


class FavoritesConfig(AppConfig):
    name = "apps.favorites"
    label = "favorites"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.authentication.principal import forget_when_changed
        from core.cache.personal import register_reader_resolver

        from .flags import resolve_reader

        # Signed-in catalog reads: the shared cached page, with this reader's flags spliced in.
        register_reader_resolver(resolve_reader)
        for model in (self.get_model("Favorite"), self.get_model("WatchlistItem")):
            forget_when_changed(model, account=False)  # the owner's flags and pages, whoever wrote it
