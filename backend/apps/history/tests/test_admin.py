"""The viewings admin: changelist in constant queries, search by email."""

import pytest
from django.urls import reverse

from apps.favorites.tests.factories import UserFactory
from core.adminsite.testing import changelist_queries, client_for, make_staff

from .factories import ViewingFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:history_viewing_changelist"


def test_changelist_lists_viewings_in_constant_queries(django_assert_max_num_queries):
    # given
    user = UserFactory()
    for _ in range(20):
        ViewingFactory(user=user, rating=7)
    client = client_for(make_staff(perms=("history.view_viewing",)))
    # when
    with django_assert_max_num_queries(8):
        _, rows = changelist_queries(client, reverse(CHANGELIST))
    # then
    assert rows == 20


def test_search_by_email_finds_that_users_viewings():
    # given
    ViewingFactory(user=UserFactory(email="cinephile@example.com"))
    ViewingFactory()
    client = client_for(make_staff(perms=("history.view_viewing",)))
    # when
    response = client.get(reverse(CHANGELIST), {"q": "cinephile"})
    # then
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
