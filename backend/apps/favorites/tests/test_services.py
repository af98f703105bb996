"""FavoriteService / WatchlistService: idempotent adds, restores, sync-first, updates and soft deletes."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError

from apps.favorites.models import Favorite, WatchlistItem
from apps.favorites.services import AddOutcome, EntryFilters, FavoriteService, WatchlistService
from apps.movies.tests.factories import MovieFactory
from core.exceptions import NotFound, UpstreamUnavailable, ValidationFailed

from .conftest import DownMovies, SyncingMovies
from .factories import FavoriteFactory

pytestmark = pytest.mark.django_db


def test_add_creates_a_favorite_with_rating_and_notes(user):
    # given
    movie = MovieFactory()
    service = FavoriteService(user=user, movies=SyncingMovies())
    # when
    result = service.add(tmdb_id=movie.tmdb_id, user_rating=9, notes="Rewatch yearly")
    # then
    assert result.outcome is AddOutcome.CREATED
    favorite = Favorite.objects.get(user=user, movie=movie)
    assert (favorite.user_rating, favorite.notes, favorite.is_active) == (9, "Rewatch yearly", True)


def test_unknown_movie_is_synced_first(user):
    # given: the catalog does not have 603 yet
    movies = SyncingMovies(title="The Matrix")
    # when
    result = FavoriteService(user=user, movies=movies).add(tmdb_id=603)
    # then
    assert movies.calls == [603]
    assert result.entry.movie.title == "The Matrix"
    assert Favorite.objects.filter(user=user, movie__tmdb_id=603).count() == 1


def test_tmdb_down_writes_nothing(user):
    # given
    movies = DownMovies(retry_after=42)
    # when
    with pytest.raises(UpstreamUnavailable) as error:
        FavoriteService(user=user, movies=movies).add(tmdb_id=603, user_rating=8)
    # then
    assert error.value.retry_after == 42
    assert not Favorite.objects.exists()


def test_adding_again_returns_the_existing_entry_unchanged(user):
    # given
    existing = FavoriteFactory(user=user, user_rating=5, notes="first")
    service = FavoriteService(user=user, movies=SyncingMovies())
    # when
    result = service.add(tmdb_id=existing.movie.tmdb_id, user_rating=9, notes="second")
    # then
    assert result.outcome is AddOutcome.EXISTING
    assert result.entry.pk == existing.pk
    existing.refresh_from_db()
    assert (existing.user_rating, existing.notes) == (5, "first")
    assert Favorite.objects.count() == 1


def test_insert_that_loses_the_race_returns_the_winner(user, monkeypatch):
    """The unique constraint, not the Python check, decides: an IntegrityError means "already there"."""
    # given: the lookup misses, but another request has inserted the row in the meantime
    winner = FavoriteFactory(user=user)
    service = FavoriteService(user=user, movies=SyncingMovies())
    real_filter = Favorite.objects.filter
    calls = {"n": 0}

    def first_lookup_misses(*args, **kwargs):
        calls["n"] += 1
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if calls["n"] == 1 else queryset

    monkeypatch.setattr(Favorite.objects, "filter", first_lookup_misses)
    # when
    result = service.add(tmdb_id=winner.movie.tmdb_id)
    # then
    assert result.outcome is AddOutcome.EXISTING
    assert result.entry.pk == winner.pk
    assert real_filter(user=user).count() == 1


def test_an_unrelated_integrity_error_is_not_swallowed(user, monkeypatch):
    # given: a save that fails for another reason than the unique constraint
    movie = MovieFactory()

    def broken_save(self, *args, **kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(Favorite, "save", broken_save)
    # when / then
    with pytest.raises(IntegrityError):
        FavoriteService(user=user, movies=SyncingMovies()).add(tmdb_id=movie.tmdb_id)


def test_remove_is_a_soft_delete_and_re_adding_restores_history(user):
    # given
    favorite = FavoriteFactory(user=user, user_rating=8, notes="keep me")
    service = FavoriteService(user=user, movies=SyncingMovies())
    # when
    service.remove(entry_id=favorite.pk)
    # then
    favorite.refresh_from_db()
    assert favorite.is_active is False
    assert favorite.removed_at is not None
    assert not service.list_entries(filters=EntryFilters()).exists()
    # when re-added
    result = service.add(tmdb_id=favorite.movie.tmdb_id)
    # then the same row is back, with its rating and notes, and counts as just added
    assert result.outcome is AddOutcome.RESTORED
    assert result.entry.pk == favorite.pk
    favorite.refresh_from_db()
    assert (favorite.is_active, favorite.removed_at, favorite.user_rating, favorite.notes) == (
        True,
        None,
        8,
        "keep me",
    )
    assert favorite.added_at > favorite.created_at


def test_restore_applies_values_given_now(user):
    favorite = FavoriteFactory(user=user, user_rating=8, is_active=False)
    result = FavoriteService(user=user, movies=SyncingMovies()).add(
        tmdb_id=favorite.movie.tmdb_id, user_rating=3
    )
    assert result.outcome is AddOutcome.RESTORED
    assert result.entry.user_rating == 3


def test_update_changes_only_what_is_given(user):
    favorite = FavoriteFactory(user=user, user_rating=8, notes="n")
    updated = FavoriteService(user=user).update(entry_id=favorite.pk, user_rating=None)
    assert (updated.user_rating, updated.notes) == (None, "n")


def test_update_validates_the_rating(user):
    favorite = FavoriteFactory(user=user)
    with pytest.raises(DjangoValidationError) as error:
        FavoriteService(user=user).update(entry_id=favorite.pk, user_rating=11)
    assert "user_rating" in str(error.value)


@pytest.mark.parametrize("operation", ["get", "update", "remove"])
def test_another_users_entry_is_not_found(user, other_user, operation):
    # given
    favorite = FavoriteFactory(user=other_user)
    service = FavoriteService(user=user)
    calls = {
        "get": lambda: service.get_entry(entry_id=favorite.pk),
        "update": lambda: service.update(entry_id=favorite.pk, notes="mine now"),
        "remove": lambda: service.remove(entry_id=favorite.pk),
    }
    # when / then
    with pytest.raises(NotFound):
        calls[operation]()
    favorite.refresh_from_db()
    assert (favorite.is_active, favorite.notes) == (True, "")


def test_removed_entry_cannot_be_removed_again(user):
    favorite = FavoriteFactory(user=user, is_active=False)
    with pytest.raises(NotFound):
        FavoriteService(user=user).remove(entry_id=favorite.pk)


def test_adult_title_is_refused_unless_opted_in(user, prefer):
    # given
    adult = MovieFactory(adult=True)
    service = FavoriteService(user=user, movies=SyncingMovies())
    # when / then: no profile yet means not opted in
    with pytest.raises(ValidationFailed):
        service.add(tmdb_id=adult.tmdb_id)
    assert not Favorite.objects.exists()
    # when opted in
    prefer(user, include_adult=True)
    # then
    assert service.add(tmdb_id=adult.tmdb_id).outcome is AddOutcome.CREATED


def test_watchlist_is_separate_from_favorites(user):
    # given
    movie = MovieFactory()
    FavoriteService(user=user, movies=SyncingMovies()).add(tmdb_id=movie.tmdb_id)
    # when
    result = WatchlistService(user=user, movies=SyncingMovies()).add(tmdb_id=movie.tmdb_id, notes="soon")
    # then
    assert result.outcome is AddOutcome.CREATED
    assert WatchlistItem.objects.get(user=user).notes == "soon"
    assert Favorite.objects.filter(user=user).count() == 1


def test_watchlist_has_no_rating():
    with pytest.raises(TypeError):
        WatchlistService(user=None).add(tmdb_id=1, user_rating=5)
