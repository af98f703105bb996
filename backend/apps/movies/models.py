"""Catalog models: Movie, Genre, and the MovieGenre / MovieRecommendation relations."""

from django.db import models
from django.db.models import Q

from core.mixins.models import BaseModelMixin, MetadataMixin, TMDbContentMixin

from .managers import GenreManager, MovieManager


class Genre(BaseModelMixin):
    tmdb_id = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    objects = GenreManager()

    class Meta:
        db_table = "movies_genre"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Movie(BaseModelMixin, MetadataMixin, TMDbContentMixin):
    """A movie mirrored from TMDb; addressed everywhere by `tmdb_id`.

    Credits, videos and keywords are kept as delivered in `metadata`
    (keys "credits", "videos", "keywords", "external_ids"), and the detail fields without a
    column (collection, companies, countries, languages) under "details".
    """

    title = models.CharField(max_length=500)
    original_title = models.CharField(max_length=500, blank=True, default="")
    tagline = models.CharField(max_length=1000, blank=True, default="")
    overview = models.TextField(blank=True, default="")
    runtime = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=32, blank=True, default="")
    original_language = models.CharField(max_length=16, blank=True, default="", db_index=True)
    budget = models.BigIntegerField(default=0)
    revenue = models.BigIntegerField(default=0)
    poster_path = models.CharField(max_length=255, blank=True, default="")
    backdrop_path = models.CharField(max_length=255, blank=True, default="")
    homepage = models.URLField(max_length=1000, blank=True, default="")
    imdb_id = models.CharField(max_length=16, blank=True, default="", db_index=True)
    adult = models.BooleanField(default=False)
    # Sync back-off: a movie whose refresh failed is not retried before this time (sync issue).
    next_sync_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    genres = models.ManyToManyField(Genre, through="MovieGenre", related_name="movies")
    related_movies = models.ManyToManyField(
        "self",
        through="MovieRecommendation",
        symmetrical=False,
        related_name="recommended_by",
    )

    objects = MovieManager()

    class Meta:
        db_table = "movies_movie"
        ordering = ["-popularity", "tmdb_id"]
        indexes = [
            models.Index(fields=["tmdb_id", "is_active"], name="movie_tmdb_active_idx"),
            models.Index(fields=["popularity", "vote_average"], name="movie_pop_vote_idx"),
            models.Index(fields=["release_date", "status"], name="movie_release_status_idx"),
            models.Index(fields=["-popularity"], name="movie_popularity_desc_idx"),
            models.Index(fields=["-vote_average", "-vote_count"], name="movie_rating_desc_idx"),
            models.Index(fields=["sync_status", "last_synced_at"], name="movie_sync_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_average__gte=0) & Q(vote_average__lte=10),
                name="movie_vote_average_range",
            ),
            models.CheckConstraint(condition=Q(popularity__gte=0), name="movie_popularity_nonneg"),
            models.CheckConstraint(condition=Q(budget__gte=0) & Q(revenue__gte=0), name="movie_money_nonneg"),
        ]

    def __str__(self) -> str:
        year = f" ({self.release_date.year})" if self.release_date else ""
        return f"{self.title}{year}"


class MovieGenre(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="movie_genres")
    genre = models.ForeignKey(Genre, on_delete=models.CASCADE, related_name="genre_movies")
    is_primary = models.BooleanField(default=False)
    # TMDb's order of the movie's genres (0 = primary); readers list genres in this order.
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "movies_movie_genre"
        constraints = [
            models.UniqueConstraint(fields=["movie", "genre"], name="movie_genre_unique"),
        ]
        indexes = [models.Index(fields=["genre", "movie"], name="movie_genre_by_genre_idx")]

    def __str__(self) -> str:
        # Titles, not keys: the admin's inline rows and delete pages show this (select_related both).
        return f"{self.movie}: {self.genre}"


class RecommendationType(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    SIMILAR = "similar", "Similar"


class MovieRecommendation(models.Model):
    """A directed relation from one movie to another, as TMDb lists it, with its rank-derived score."""

    source_movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="outgoing_recommendations")
    recommended_movie = models.ForeignKey(
        Movie, on_delete=models.CASCADE, related_name="incoming_recommendations"
    )
    recommendation_type = models.CharField(max_length=16, choices=RecommendationType.choices)
    score = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "movies_movie_recommendation"
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_movie", "recommended_movie", "recommendation_type"],
                name="movie_recommendation_unique",
            ),
            models.CheckConstraint(
                condition=~Q(source_movie=models.F("recommended_movie")),
                name="movie_recommendation_not_self",
            ),
        ]
        indexes = [
            models.Index(
                fields=["source_movie", "recommendation_type", "-score"],
                name="movie_rec_lookup_idx",
            )
        ]

    def __str__(self) -> str:
        # Titles, not keys: the admin's inline rows and delete pages show this (select_related both).
        kind = self.get_recommendation_type_display().lower()
        return f"{self.source_movie} → {self.recommended_movie} ({kind})"


# Sync bookkeeping tables live in the sync package; imported here so Django registers them.
from .sync.models import SyncLock, SyncState  # noqa: E402, F401
