"""Admin pages for favorites and watchlist entries: pages, search, soft-delete actions, query counts."""

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.authentication.models import User
from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.tests.factories import MovieFactory
from core.adminsite.testing import changelist_queries, client_for, make_staff

pytestmark = pytest.mark.django_db

ENTRY_MODELS = [Favorite, WatchlistItem]


def urls(model) -> dict[str, str]:
    name = f"admin:favorites_{model._meta.model_name}"
    return {"changelist": reverse(f"{name}_changelist"), "add": reverse(f"{name}_add")}


def make_entries(model, count: int) -> list:
    user = User.objects.create_user(f"fan-{model._meta.model_name}@example.com", None)
    return [model.objects.create(user=user, movie=movie) for movie in MovieFactory.create_batch(count)]


@pytest.mark.parametrize("model", ENTRY_MODELS)
def test_entry_changelist_runs_a_constant_number_of_queries(
    model, monkeypatch, django_assert_max_num_queries
):
    # given
    make_entries(model, 30)
    name = model._meta.model_name
    client = client_for(make_staff(perms=(f"favorites.view_{name}",)))
    counts = []
    # when
    for page_size in (5, 25):
        monkeypatch.setattr(type(admin.site._registry[model]), "list_per_page", page_size)
        with django_assert_max_num_queries(7):
            queries, rows = changelist_queries(client, urls(model)["changelist"])
        assert rows == page_size
        counts.append(queries)
    # then
    assert counts[0] == counts[1]


@pytest.mark.parametrize("model", ENTRY_MODELS)
def test_entry_search_by_email_title_and_tmdb_id(admin_client, model):
    # given
    entries = make_entries(model, 3)
    target = entries[1]
    # when / then
    for term in (target.movie.title, str(target.movie.tmdb_id)):
        response = admin_client.get(urls(model)["changelist"], {"q": term})
        assert list(response.context["cl"].result_list) == [target], term
    by_email = admin_client.get(urls(model)["changelist"], {"q": target.user.email})
    assert len(by_email.context["cl"].result_list) == 3


@pytest.mark.parametrize("model", ENTRY_MODELS)
def test_entry_change_and_add_pages(admin_client, model):
    # given
    entry = make_entries(model, 1)[0]
    movie = MovieFactory()
    change_url = reverse(f"admin:favorites_{model._meta.model_name}_change", args=[entry.pk])
    data = {"user": entry.user_id, "movie": movie.pk, "notes": "added by staff", "is_active": "on"}
    # when
    page = admin_client.get(change_url)
    add_page = admin_client.get(urls(model)["add"])
    added = admin_client.post(urls(model)["add"], data)
    duplicate = admin_client.post(urls(model)["add"], data)
    # then
    assert page.status_code == 200
    assert add_page.status_code == 200
    assert added.status_code == 302
    assert model.objects.filter(user=entry.user, movie=movie, notes="added by staff").exists()
    assert duplicate.status_code == 200  # the form shows the unique user+movie error
    assert duplicate.context["adminform"].form.errors


def test_favorite_rating_is_validated(admin_client):
    # given
    entry = make_entries(Favorite, 1)[0]
    change_url = reverse("admin:favorites_favorite_change", args=[entry.pk])
    # when
    response = admin_client.post(
        change_url, {"user": entry.user_id, "movie": entry.movie_id, "user_rating": "11", "is_active": "on"}
    )
    # then
    assert response.status_code == 200
    assert "user_rating" in response.context["adminform"].form.errors


@pytest.mark.parametrize("model", ENTRY_MODELS)
def test_entry_mark_inactive_and_restore(admin_client, model):
    # given
    entries = make_entries(model, 2)
    changelist = urls(model)["changelist"]
    selection = [entry.pk for entry in entries]
    # when
    hidden = admin_client.post(
        changelist, {"action": "mark_inactive", "_selected_action": selection}, follow=True
    )
    # then
    assert model.objects.filter(is_active=False).count() == 2
    assert any(
        "2 " in str(message) and "marked inactive" in str(message) for message in hidden.context["messages"]
    )
    # when
    admin_client.post(changelist, {"action": "restore", "_selected_action": selection[:1]})
    # then
    assert model.objects.filter(is_active=True).count() == 1


def test_movie_autocomplete_for_entry_forms_searches_titles_and_tmdb_ids(admin_client):
    # given
    MovieFactory(title="Fight Club", tmdb_id=550)
    MovieFactory(title="The Matrix", tmdb_id=603)
    params = {"app_label": "favorites", "model_name": "favorite", "field_name": "movie"}
    # when
    by_title = admin_client.get(reverse("admin:autocomplete"), {**params, "term": "matr"}).json()
    by_id = admin_client.get(reverse("admin:autocomplete"), {**params, "term": "550"}).json()
    # then
    assert [item["text"].split(" (")[0] for item in by_title["results"]] == ["The Matrix"]
    assert [item["text"].split(" (")[0] for item in by_id["results"]] == ["Fight Club"]
