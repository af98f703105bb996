"""Favorites and watchlist entries: one row per user and movie, soft-deleted to keep history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.mixins.models import BaseModelMixin

from .managers import FavoriteManager, WatchlistItemManager

NOTES_MAX_LENGTH = 2000


class UserMovieEntry(BaseModelMixin):
    """A user's entry for one movie; `is_active=False` means removed (re-adding restores it).

    `added_at` is when the movie was (last) put in the collection: a restore moves it to the
    top of "recently added"; `created_at` keeps the first time the row was written.
    """

    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Favorite(UserMovieEntry):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    movie = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="favorited_by")
    user_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    notes = models.TextField(blank=True, default="", max_length=NOTES_MAX_LENGTH)

    objects = FavoriteManager()

    class Meta:
        db_table = "favorites_favorite"
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="favorite_user_movie_unique"),
            models.CheckConstraint(
                condition=Q(user_rating__isnull=True) | Q(user_rating__gte=1, user_rating__lte=10),
                name="favorite_rating_range",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "is_active", "-added_at"], name="favorite_user_added_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.movie_id}"


class WatchlistItem(UserMovieEntry):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlist_items"
    )
    movie = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="watchlisted_by")
    notes = models.TextField(blank=True, default="", max_length=NOTES_MAX_LENGTH)

    objects = WatchlistItemManager()

    class Meta:
        db_table = "favorites_watchlist_item"
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="watchlist_user_movie_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "is_active", "-added_at"], name="watchlist_user_added_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ⏲ {self.movie_id}"
