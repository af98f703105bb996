"""Favorites and watchlist business logic: add (get-or-create, restore), update, remove, list, stats."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.movies.models import Movie
from apps.movies.services import MovieService
from apps.movies.services.audience import Audience
from core import cache
from core.exceptions import NotFound, ValidationFailed

from . import caching
from .managers import DEFAULT_ORDERING, attach_movie_flags
from .models import Favorite, UserMovieEntry, WatchlistItem
from .stats import compute_favorite_stats


class MovieProvider(Protocol):
    """What the entry services need from the catalog (MovieService, or a test double)."""

    def get_movie(self, *, tmdb_id: int) -> Movie: ...


class AddOutcome(StrEnum):
    CREATED = "created"
    RESTORED = "restored"  # a removed entry came back, with its history
    EXISTING = "existing"  # already there: returned unchanged


@dataclass(frozen=True)
class AddResult:
    entry: UserMovieEntry
    outcome: AddOutcome


@dataclass(frozen=True)
class EntryFilters:
    q: str = ""
    genres: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    min_rating: int | None = None
    max_rating: int | None = None
    movie_id: int | None = None
    ordering: str = DEFAULT_ORDERING


def include_adult_for(user) -> bool:
    """The user's adult-content preference, as the catalog's one reader of the audience says."""
    return Audience.for_user(user).include_adult


class UserMovieEntryService:
    """One user's collection of movies (favorites or watchlist); subclasses name the model."""

    model: type[UserMovieEntry]
    editable_fields: tuple[str, ...] = ("notes",)
    label = "Entry"

    def __init__(self, *, user, movies: MovieProvider | None = None):
        self.user = user
        self.movies = movies if movies is not None else MovieService()

    # Reads ----------------------------------------------------------------------------
    def list_entries(self, *, filters: EntryFilters) -> QuerySet:
        """The user's entries, filtered and ordered, with the movie and its genres preloaded."""
        queryset = self.model.objects.of(self.user).visible().with_movie().with_movie_flags(self.user)
        if filters.q:
            queryset = queryset.search(filters.q)
        if filters.genres:
            queryset = queryset.in_genres(list(filters.genres))
        if filters.movie_id is not None:
            queryset = queryset.for_movie(filters.movie_id)
        queryset = queryset.released_between(year_from=filters.year_from, year_to=filters.year_to)
        return self._filter_more(queryset, filters).ordered(filters.ordering)

    def get_entry(self, *, entry_id: int) -> UserMovieEntry:
        """One of the user's current entries; anyone else's, or a removed one, is not found."""
        try:
            entry = self.model.objects.of(self.user).with_movie().with_movie_flags(self.user).get(pk=entry_id)
        except ObjectDoesNotExist as exc:
            raise NotFound(f"{self.label} not found.") from exc
        attach_movie_flags([entry])
        return entry

    # Writes ---------------------------------------------------------------------------
    def add(self, *, tmdb_id: int, **values: Any) -> AddResult:
        """Adds the movie, syncing it from TMDb first when unknown (nothing is written if that fails).

        Idempotent: an entry already there is returned unchanged; a removed one is restored with
        its history, `values` given now overriding the old ones.
        """
        values = self._checked_values(values)
        movie = self.movies.get_movie(tmdb_id=tmdb_id)
        self._ensure_allowed(movie)
        result = self._get_or_create(movie=movie, values=values)
        if result.outcome is not AddOutcome.EXISTING:
            caching.invalidate_user(self.user.pk)
        return result

    def update(self, *, entry_id: int, **values: Any) -> UserMovieEntry:
        values = self._checked_values(values)
        with transaction.atomic():
            entry = self._locked_entry(entry_id)
            changed = [name for name, value in values.items() if getattr(entry, name) != value]
            for name in changed:
                setattr(entry, name, values[name])
            if changed:
                self._validate(entry)
                entry.save(update_fields=[*changed, "updated_at"])
        if changed:
            caching.invalidate_user(self.user.pk)
        return self.get_entry(entry_id=entry.pk)

    def remove(self, *, entry_id: int) -> None:
        """Soft delete: the row stays (with rating and notes) so re-adding restores it."""
        now = timezone.now()
        removed = (
            self.model.objects.of(self.user)
            .filter(pk=entry_id)
            .update(is_active=False, removed_at=now, updated_at=now)
        )
        if not removed:
            raise NotFound(f"{self.label} not found.")
        caching.invalidate_user(self.user.pk)

    # Helpers --------------------------------------------------------------------------
    def _filter_more(self, queryset: QuerySet, filters: EntryFilters) -> QuerySet:
        return queryset

    def _checked_values(self, values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(self.editable_fields)
        if unknown:
            raise TypeError(f"Not editable on {self.model.__name__}: {', '.join(sorted(unknown))}")
        return values

    def _ensure_allowed(self, movie: Movie) -> None:
        if movie.adult and not include_adult_for(self.user):
            raise ValidationFailed(
                {"movie_id": ["Adult titles are hidden by your preferences (include_adult is off)."]}
            )

    def _get_or_create(self, *, movie: Movie, values: dict[str, Any]) -> AddResult:
        """Get-or-create on the (user, movie) unique constraint, safe under concurrent adds."""
        entry = self.model.objects.filter(user=self.user, movie=movie).first()
        if entry is not None and entry.is_active:
            return AddResult(entry, AddOutcome.EXISTING)
        if entry is None:
            try:
                with transaction.atomic():
                    entry = self.model(user=self.user, movie=movie, **values)
                    self._validate(entry)
                    entry.save(force_insert=True)
                return AddResult(entry, AddOutcome.CREATED)
            except IntegrityError:
                # Lost the race: a concurrent request inserted the same (user, movie) first.
                if not self.model.objects.filter(user=self.user, movie=movie).exists():
                    raise
        return self._restore_or_existing(movie=movie, values=values)

    @transaction.atomic
    def _restore_or_existing(self, *, movie: Movie, values: dict[str, Any]) -> AddResult:
        entry = self.model.objects.select_for_update().get(user=self.user, movie=movie)
        if entry.is_active:
            return AddResult(entry, AddOutcome.EXISTING)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.is_active, entry.removed_at, entry.added_at = True, None, timezone.now()
        self._validate(entry)
        entry.save(update_fields=[*values, "is_active", "removed_at", "added_at", "updated_at"])
        return AddResult(entry, AddOutcome.RESTORED)

    def _locked_entry(self, entry_id: int) -> UserMovieEntry:
        try:
            return self.model.objects.of(self.user).select_for_update().get(pk=entry_id)
        except ObjectDoesNotExist as exc:
            raise NotFound(f"{self.label} not found.") from exc

    @staticmethod
    def _validate(entry: UserMovieEntry) -> None:
        # Field validators only: the database enforces uniqueness and foreign keys itself.
        entry.full_clean(exclude=["user", "movie"], validate_unique=False, validate_constraints=False)


class FavoriteService(UserMovieEntryService):
    model = Favorite
    editable_fields = ("user_rating", "notes")
    label = "Favorite"

    def stats(self) -> dict:
        """Count, ratings, genres, decades and runtime; cached per user until their next change."""
        return cache.get_or_set(
            caching.stats_key(self.user.pk),
            lambda: compute_favorite_stats(self.user),
            ttl=caching.STATS_TTL,
            level="query",
        )

    def _filter_more(self, queryset: QuerySet, filters: EntryFilters) -> QuerySet:
        return queryset.rated_between(min_rating=filters.min_rating, max_rating=filters.max_rating)


class WatchlistService(UserMovieEntryService):
    model = WatchlistItem
    label = "Watchlist item"
