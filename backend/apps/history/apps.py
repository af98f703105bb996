"""Django app configuration of the watched history."""

from django.apps import AppConfig


class HistoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.history"
    label = "history"
    verbose_name = "Watched history"

    def ready(self) -> None:
        from apps.authentication.principal import forget_when_changed

        forget_when_changed(
            self.get_model("Viewing"), account=False
        )  # the owner's watched flags, whoever wrote it
