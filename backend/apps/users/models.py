"""User profiles and the preferences that drive movie listings."""

from django.conf import settings
from django.db import models

from core.mixins.models import BaseModelMixin


class Profile(BaseModelMixin):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=100, blank=True, default="")
    avatar_url = models.URLField(max_length=500, blank=True, default="")
    bio = models.TextField(max_length=1000, blank=True, default="")
    # Preferences: empty language/region mean "use the configured default".
    language = models.CharField(max_length=10, blank=True, default="")
    region = models.CharField(max_length=2, blank=True, default="")
    include_adult = models.BooleanField(default=False)
    favorite_genres = models.ManyToManyField("movies.Genre", blank=True, related_name="fans")

    class Meta:
        db_table = "auth_user_profile"

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"
