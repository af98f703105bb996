"""UserService used directly: lazy profiles and the preferences other apps read."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.authentication.tests.factories import UserFactory
from apps.movies.tests.factories import GenreFactory
from apps.users.models import Profile
from apps.users.services import ANONYMOUS_PREFERENCES, Preferences, UserService

pytestmark = pytest.mark.django_db


def test_get_profile_creates_one_once():
    user = UserFactory()
    first, second = UserService().get_profile(user), UserService().get_profile(user)
    assert first.pk == second.pk
    assert Profile.objects.filter(user=user).count() == 1


def test_preferences_for_a_signed_in_user():
    # given
    user = UserFactory()
    GenreFactory(tmdb_id=28), GenreFactory(tmdb_id=12)
    UserService().update_preferences(
        user=user, language="es-MX", include_adult=True, favorite_genres=[28, 12]
    )
    # then
    assert UserService().preferences_for(user) == Preferences(
        language="es-MX", region="", include_adult=True, favorite_genre_ids=(12, 28)
    )


@pytest.mark.parametrize("viewer", [None, AnonymousUser()])
def test_preferences_for_anonymous_viewers_are_the_defaults(viewer):
    assert UserService().preferences_for(viewer) == ANONYMOUS_PREFERENCES
    assert ANONYMOUS_PREFERENCES.include_adult is False


def test_update_refuses_fields_outside_its_list():
    with pytest.raises(ValueError):
        UserService().update_profile(user=UserFactory(), include_adult=True)
