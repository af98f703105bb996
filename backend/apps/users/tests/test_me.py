"""users/me: profile read/update, preferences, account deletion; mass assignment refused."""

import pytest
from django.contrib.auth import get_user_model

from apps.authentication.models import UserSession, VerificationToken
from apps.authentication.tests.factories import UserFactory
from apps.authentication.tests.fixtures import ME_URL, REFRESH_URL, bearer
from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.tests.factories import GenreFactory, MovieFactory
from apps.users.models import Profile
from apps.users.services import UserService

pytestmark = pytest.mark.django_db
User = get_user_model()
PREFS_URL = "/api/v1/users/me/preferences/"


def test_me_shows_account_and_profile(auth_client, user):
    # when
    response = auth_client.get(ME_URL)
    # then
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == user.id
    assert data["email"] == "ada@example.com"
    assert data["email_verified"] is True
    assert {"display_name", "avatar_url", "bio", "date_joined", "updated_at"} <= set(data)
    assert "password" not in data and "is_staff" not in data
    assert response.headers["Cache-Control"] == "private, no-store"


def test_me_creates_a_missing_profile_lazily(auth_client, user):
    Profile.objects.filter(user=user).delete()
    assert auth_client.get(ME_URL).status_code == 200
    assert Profile.objects.filter(user=user).count() == 1


def test_me_needs_authentication(api_client):
    for method in ("get", "patch", "delete"):
        assert getattr(api_client, method)(ME_URL).status_code == 401
    assert api_client.get(PREFS_URL).status_code == 401


def test_patch_me_updates_the_profile(auth_client, user):
    body = {"display_name": "Ada L.", "avatar_url": "https://img.example.com/a.png", "bio": "Film buff."}
    response = auth_client.patch(ME_URL, body, format="json")
    assert response.status_code == 200
    assert {key: response.json()["data"][key] for key in body} == body
    profile = UserService().get_profile(user)
    assert profile.display_name == "Ada L." and profile.bio == "Film buff."


@pytest.mark.parametrize(
    "body",
    [
        {"avatar_url": "javascript:alert(1)"},
        {"avatar_url": "ftp://example.com/a.png"},
        {"display_name": "x" * 101},
        {"bio": "x" * 1001},
        {"display_name": None},
    ],
)
def test_patch_me_validates(auth_client, body):
    response = auth_client.patch(ME_URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["code"] == "validation_error"


@pytest.mark.parametrize(
    "field",
    [
        "is_staff",
        "is_superuser",
        "email_verified",
        "id",
        "email",
        "date_joined",
        "updated_at",
        "created_at",
        "user",
    ],
)
def test_patch_me_refuses_mass_assignment(auth_client, user, field):
    # when
    response = auth_client.patch(ME_URL, {field: True, "display_name": "sneaky"}, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()["errors"]["fields"]
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert UserService().get_profile(user).display_name == ""


def test_preferences_round_trip_with_normalised_codes(auth_client, user):
    # given
    action, drama, _ = GenreFactory(tmdb_id=28), GenreFactory(tmdb_id=18), GenreFactory(tmdb_id=35)
    # when
    body = {"language": "pt-br", "region": "br", "include_adult": True, "favorite_genres": [28, 18, 28]}
    response = auth_client.patch(PREFS_URL, body, format="json")
    # then
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["language"] == "pt-BR" and data["region"] == "BR" and data["include_adult"] is True
    assert data["favorite_genres"] == [18, 28]
    assert auth_client.get(PREFS_URL).json()["data"]["favorite_genres"] == [18, 28]
    assert set(UserService().get_profile(user).favorite_genres.all()) == {action, drama}


def test_preferences_partial_update_keeps_the_rest(auth_client):
    GenreFactory(tmdb_id=28)
    auth_client.patch(PREFS_URL, {"language": "fr", "favorite_genres": [28]}, format="json")
    data = auth_client.patch(PREFS_URL, {"include_adult": True}, format="json").json()["data"]
    assert data["language"] == "fr" and data["favorite_genres"] == [28]
    cleared = auth_client.patch(PREFS_URL, {"language": "", "favorite_genres": []}, format="json").json()[
        "data"
    ]
    assert cleared["language"] == "" and cleared["favorite_genres"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"language": "xx"},
        {"language": "english"},
        {"language": "en-ZZ"},
        {"language": "en-US-x"},
        {"region": "ZZ"},
        {"region": "USA"},
        {"include_adult": "maybe"},
        {"favorite_genres": [999999]},
        {"favorite_genres": ["action"]},
        {"favorite_genres": 28},
        {"favorite_genres": [0]},
        {"email_verified": True},
        {"user": 1},
    ],
)
def test_bad_preferences_are_400(auth_client, body):
    response = auth_client.patch(PREFS_URL, body, format="json")
    assert response.status_code == 400
    assert set(body) <= set(response.json()["errors"]["fields"])


def test_inactive_genres_cannot_be_chosen(auth_client):
    GenreFactory(tmdb_id=10770, is_active=False)
    assert auth_client.patch(PREFS_URL, {"favorite_genres": [10770]}, format="json").status_code == 400


def test_delete_account_needs_the_password(auth_client, user):
    response = auth_client.delete(ME_URL, {"password": "wrong guess"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]["fields"]
    assert User.objects.filter(pk=user.pk).exists()
    assert auth_client.delete(ME_URL, {}, format="json").status_code == 400


def test_delete_account_removes_everything_personal(api_client, auth_client, user, password, tokens):
    # given
    movie = MovieFactory()
    Favorite.objects.create(user=user, movie=movie, user_rating=9)
    WatchlistItem.objects.create(user=user, movie=movie)
    bystander = UserFactory()
    Favorite.objects.create(user=bystander, movie=movie)
    # when
    response = auth_client.delete(ME_URL, {"password": password}, format="json")
    # then
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Favorite.objects.filter(user_id=user.pk).exists()
    assert not WatchlistItem.objects.filter(user_id=user.pk).exists()
    assert not UserSession.objects.filter(user_id=user.pk).exists()
    assert not VerificationToken.objects.filter(user_id=user.pk).exists()
    assert not Profile.objects.filter(user_id=user.pk).exists()
    assert Favorite.objects.filter(user=bystander).exists()
    assert bearer(tokens["access"]).get(ME_URL).status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_users_only_ever_see_their_own_profile(api_client, user, other_user, auth_client):
    UserService().update_profile(user=other_user, display_name="Bob")
    data = auth_client.get(ME_URL).json()["data"]
    assert data["id"] == user.id and data["display_name"] == ""
