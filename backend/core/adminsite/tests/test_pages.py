"""Every registered admin page answers for a superuser: changelist, add, change, history, delete."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.authentication.models import EmailOutbox, LoginLockout, User, UserSession, VerificationToken
from apps.authentication.tests.admin_records import make_session, make_token
from apps.favorites.models import Favorite, WatchlistItem
from apps.history.models import Viewing
from apps.imports.models import Import
from apps.movies.models import MovieRecommendation
from apps.movies.tests.factories import GenreFactory, MovieFactory
from apps.tmdbcompat.apikeys import ApiKeyService
from apps.users.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each():
    """One object per registered model."""
    member = User.objects.create_user("member@example.com", None)
    movie, other = MovieFactory(genres=[GenreFactory()]), MovieFactory()
    return [
        movie,
        movie.genres.get(),
        MovieRecommendation.objects.create(
            source_movie=movie, recommended_movie=other, recommendation_type="similar"
        ),
        member,
        Profile.objects.create(user=member),
        Favorite.objects.create(user=member, movie=movie),
        WatchlistItem.objects.create(user=member, movie=movie),
        Viewing.objects.create(user=member, movie=movie, watched_on="2024-01-01"),
        Import.objects.create(user=member, source="csv"),
        Group.objects.create(name="editors"),
        make_session(member),
        make_token(member),
        LoginLockout.objects.create(email=member.email, attempts=1),
        EmailOutbox.objects.create(kind="account_exists", email=member.email),
        ApiKeyService.create(name="consumer", owner=member)[0],
    ]


# Account records and imports are looked at, never added or deleted by hand.
READ_ONLY = {UserSession, VerificationToken, LoginLockout, EmailOutbox, Import}


def test_every_model_the_issue_names_is_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered >= {
        "movies.Movie",
        "movies.Genre",
        "movies.MovieRecommendation",
        "authentication.User",
        "users.Profile",
        "favorites.Favorite",
        "favorites.WatchlistItem",
    }


def test_every_admin_page_answers(admin_client, one_of_each):
    # given
    assert {type(obj) for obj in one_of_each} == set(admin.site._registry)
    # when / then
    for obj in one_of_each:
        prefix = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
        writable = 403 if type(obj) in READ_ONLY else 200
        pages = [
            (reverse(f"{prefix}_changelist"), 200),
            (reverse(f"{prefix}_add"), writable),
            (reverse(f"{prefix}_change", args=[obj.pk]), 200),
            (reverse(f"{prefix}_history", args=[obj.pk]), 200),
            (reverse(f"{prefix}_delete", args=[obj.pk]), writable),
        ]
        for url, status in pages:
            assert admin_client.get(url).status_code == status, url
    assert admin_client.get(reverse("admin:index")).status_code == 200
    for app_label in ("movies", "authentication", "users", "favorites", "history", "imports"):
        assert admin_client.get(reverse("admin:app_list", args=[app_label])).status_code == 200
