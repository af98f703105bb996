"""Django's messages are set up for the admin only; API requests do not pay for them."""

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import AdminMessageMiddleware


def _through_middleware(path: str):
    request = RequestFactory().get(path)
    request.session = {}
    AdminMessageMiddleware(lambda request: HttpResponse())(request)
    return request


def test_an_api_request_gets_no_message_storage():
    assert not hasattr(_through_middleware("/api/v1/movies/550/"), "_messages")


def test_an_admin_request_gets_its_message_storage():
    request = _through_middleware("/admin/movies/movie/")
    assert hasattr(request, "_messages")
    assert list(get_messages(request)) == []


@pytest.mark.django_db
def test_admin_messages_still_reach_the_page(admin_client):
    # given a movie, and an admin action that reports through messages
    from apps.movies.tests.factories import MovieFactory

    movie = MovieFactory()
    # when the staff member marks it inactive through the changelist action
    response = admin_client.post(
        "/admin/movies/movie/",
        {"action": "mark_inactive", "_selected_action": [movie.pk]},
        follow=True,
    )
    # then the confirmation message is on the page that follows
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]]
