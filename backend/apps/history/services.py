"""Watched-history business logic: add (get-or-create per day), update, remove, list, stats."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.favorites import caching
from apps.favorites.services import AddOutcome, EntryFilters, MovieProvider, include_adult_for
from apps.movies.services import MovieService
from core import cache
from core.exceptions import NotFound, ValidationFailed

from .models import Viewing
from .stats import compute_history_stats

EDITABLE_FIELDS = ("watched_on", "rating", "rewatch", "review")


@dataclass(frozen=True)
class AddResult:
    entry: Viewing
    outcome: AddOutcome


class HistoryService:
    """One user's viewings. Every write bumps the user's namespace (stats and "for you" follow)."""

    def __init__(self, *, user, movies: MovieProvider | None = None):
        self.user = user
        self.movies = movies if movies is not None else MovieService()

    # Reads ----------------------------------------------------------------------------
    def list_entries(self, *, filters: EntryFilters) -> QuerySet:
        """Filters: year *watched* (year_from/year_to), rating range, genres (any of), search, one movie."""
        queryset = Viewing.objects.of(self.user).visible().with_movie()
        if filters.q:
            queryset = queryset.search(filters.q)
        if filters.genres:
            queryset = queryset.in_genres(list(filters.genres))
        if filters.movie_id is not None:
            queryset = queryset.for_movie(filters.movie_id)
        queryset = queryset.watched_in(year_from=filters.year_from, year_to=filters.year_to)
        queryset = queryset.rated_between(min_rating=filters.min_rating, max_rating=filters.max_rating)
        return queryset.ordered(filters.ordering)

    def get_entry(self, *, entry_id: int) -> Viewing:
        try:
            return Viewing.objects.of(self.user).with_movie().get(pk=entry_id)
        except ObjectDoesNotExist as exc:
            raise NotFound("Viewing not found.") from exc

    def stats(self) -> dict:
        """Count per year, average rating, top genres; cached per user until their next change."""
        return cache.get_or_set(
            caching.history_stats_key(self.user.pk),
            lambda: compute_history_stats(self.user),
            ttl=caching.HISTORY_STATS_TTL,
            level="query",
        )

    # Writes ---------------------------------------------------------------------------
    def add(self, *, tmdb_id: int, watched_on: datetime.date | None = None, **values: Any) -> AddResult:
        """Logs a viewing (today by default), syncing an unknown movie from TMDb first.

        One viewing per movie and day: logging it again returns the existing one unchanged; a
        removed one comes back with the values given now.
        """
        _check_fields(values)
        movie = self.movies.get_movie(tmdb_id=tmdb_id)
        if movie.adult and not include_adult_for(self.user):
            raise ValidationFailed(
                {"movie_id": ["Adult titles are hidden by your preferences (include_adult is off)."]}
            )
        watched_on = watched_on or timezone.localdate()
        result = self._get_or_create(movie=movie, watched_on=watched_on, values=values)
        if result.outcome is not AddOutcome.EXISTING:
            caching.invalidate_user(self.user.pk)
        return result

    def update(self, *, entry_id: int, **values: Any) -> Viewing:
        _check_fields(values)
        try:
            with transaction.atomic():
                entry = self._locked(entry_id)
                changed = [name for name, value in values.items() if getattr(entry, name) != value]
                for name in changed:
                    setattr(entry, name, values[name])
                if changed:
                    entry.edited_at = timezone.now()
                    _validate(entry)
                    entry.save(update_fields=[*changed, "edited_at", "updated_at"])
        except IntegrityError as exc:
            raise ValidationFailed({"watched_on": ["You already logged this movie on that day."]}) from exc
        if changed:
            caching.invalidate_user(self.user.pk)
        return self.get_entry(entry_id=entry.pk)

    def remove(self, *, entry_id: int) -> None:
        """Soft delete: the row stays inactive, so re-importing the same history does not revive it."""
        now = timezone.now()
        removed = (
            Viewing.objects.of(self.user)
            .filter(pk=entry_id)
            .update(is_active=False, edited_at=now, updated_at=now)
        )
        if not removed:
            raise NotFound("Viewing not found.")
        caching.invalidate_user(self.user.pk)

    # Helpers --------------------------------------------------------------------------
    def _get_or_create(self, *, movie, watched_on: datetime.date, values: dict) -> AddResult:
        entry = Viewing.objects.filter(user=self.user, movie=movie, watched_on=watched_on).first()
        if entry is not None and entry.is_active:
            return AddResult(entry, AddOutcome.EXISTING)
        if entry is None:
            try:
                with transaction.atomic():
                    entry = Viewing(
                        user=self.user, movie=movie, watched_on=watched_on, edited_at=timezone.now(), **values
                    )
                    _validate(entry)
                    entry.save(force_insert=True)
                return AddResult(entry, AddOutcome.CREATED)
            except IntegrityError:
                if not Viewing.objects.filter(user=self.user, movie=movie, watched_on=watched_on).exists():
                    raise
        return self._restore(movie=movie, watched_on=watched_on, values=values)

    @transaction.atomic
    def _restore(self, *, movie, watched_on: datetime.date, values: dict) -> AddResult:
        entry = Viewing.objects.select_for_update().get(user=self.user, movie=movie, watched_on=watched_on)
        if entry.is_active:
            return AddResult(entry, AddOutcome.EXISTING)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.is_active, entry.edited_at = True, timezone.now()
        _validate(entry)
        entry.save(update_fields=[*values, "is_active", "edited_at", "updated_at"])
        return AddResult(entry, AddOutcome.RESTORED)

    def _locked(self, entry_id: int) -> Viewing:
        try:
            return Viewing.objects.of(self.user).select_for_update().get(pk=entry_id)
        except ObjectDoesNotExist as exc:
            raise NotFound("Viewing not found.") from exc


def _check_fields(values: dict) -> None:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable on Viewing: {', '.join(sorted(unknown))}")


def _validate(entry: Viewing) -> None:
    # Field validators only: the database enforces uniqueness and foreign keys itself.
    entry.full_clean(exclude=["user", "movie"], validate_unique=False, validate_constraints=False)
