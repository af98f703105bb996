"""Admin pages for profiles: changelist (constant queries), change and add pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.authentication.models import User
from apps.movies.tests.factories import GenreFactory
from apps.users.models import Profile
from core.adminsite.testing import changelist_queries, client_for, make_staff

pytestmark = pytest.mark.django_db

PROFILES_URL = reverse("admin:users_profile_changelist")


def make_profile(number: int, **fields) -> Profile:
    user = User.objects.create_user(f"user{number}@example.com", None)
    return Profile.objects.create(user=user, **fields)


def test_profile_changelist_search_and_constant_queries(monkeypatch, django_assert_max_num_queries):
    # given
    for number in range(30):
        make_profile(number, display_name=f"Person {number}")
    client = client_for(make_staff(perms=("users.view_profile",)))
    counts = []
    # when
    for page_size in (5, 25):
        monkeypatch.setattr(type(admin.site._registry[Profile]), "list_per_page", page_size)
        with django_assert_max_num_queries(7):
            queries, rows = changelist_queries(client, PROFILES_URL)
        assert rows == page_size
        counts.append(queries)
    searched = client.get(PROFILES_URL, {"q": "user7@"})
    # then
    assert counts[0] == counts[1]
    assert [profile.display_name for profile in searched.context["cl"].result_list] == ["Person 7"]


def test_profile_change_and_add_pages(admin_client):
    # given
    profile = make_profile(1, display_name="Old")
    genre = GenreFactory()
    other = User.objects.create_user("other@example.com", None)
    change_url = reverse("admin:users_profile_change", args=[profile.pk])
    # when
    page = admin_client.get(change_url)
    saved = admin_client.post(
        change_url,
        {
            "user": profile.user_id,
            "display_name": "New",
            "language": "fr",
            "favorite_genres": [genre.pk],
            "is_active": "on",
        },
    )
    added = admin_client.post(reverse("admin:users_profile_add"), {"user": other.pk, "is_active": "on"})
    # then
    assert page.status_code == 200
    assert admin_client.get(reverse("admin:users_profile_add")).status_code == 200
    assert saved.status_code == 302
    profile.refresh_from_db()
    assert profile.display_name == "New"
    assert list(profile.favorite_genres.all()) == [genre]
    assert added.status_code == 302
    assert Profile.objects.filter(user=other).exists()
