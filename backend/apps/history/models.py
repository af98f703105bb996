"""Viewings: one row per user, movie and date watched; soft-deleted so a removal is remembered."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.mixins.models import BaseModelMixin

from .managers import ViewingManager

REVIEW_MAX_LENGTH = 5000


class ViewingSource(models.TextChoices):
    MANUAL = "manual", "Added in Movie Nexus"
    LETTERBOXD = "letterboxd", "Letterboxd"
    IMDB = "imdb", "IMDb"
    TRAKT = "trakt", "Trakt"
    CSV = "csv", "CSV"
    MOVIENEXUS = "movienexus", "Movie Nexus export"


class Viewing(BaseModelMixin):
    """A user watched a movie on a day. `is_active=False` means removed: an import never revives it.

    `edited_at` is when the user last added or changed the row here (null: only imports wrote
    it); an import overwrites a row only with an entry logged after that local edit.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="viewings")
    movie = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="viewings")
    watched_on = models.DateField()
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    rewatch = models.BooleanField(default=False)
    review = models.TextField(blank=True, default="", max_length=REVIEW_MAX_LENGTH)
    source = models.CharField(max_length=16, choices=ViewingSource.choices, default=ViewingSource.MANUAL)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = ViewingManager()

    class Meta:
        db_table = "history_viewing"
        ordering = ["-watched_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "movie", "watched_on"], name="viewing_user_movie_day_unique"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=10),
                name="viewing_rating_range",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "is_active", "-watched_on"], name="viewing_user_watched_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} 👁 {self.movie_id} on {self.watched_on}"
