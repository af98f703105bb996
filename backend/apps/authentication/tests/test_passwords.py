"""Password change, reset request (no enumeration) and reset confirm (single-use, ends sessions)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from .fixtures import ME_URL, REFRESH_URL, bearer, last_email_to, link_params, login

pytestmark = pytest.mark.django_db
User = get_user_model()
CHANGE = "/api/v1/auth/password/change/"
RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
NEW_PASSWORD = "marmalade lighthouse sonata"


def request_reset(client, capture, email):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, format="json")


def test_change_password_keeps_this_session_and_ends_the_others(api_client, user, password, tokens):
    # given
    other = login(api_client, user.email)
    # when
    response = bearer(tokens["access"]).post(
        CHANGE, {"current_password": password, "new_password": NEW_PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert bearer(tokens["access"]).get(ME_URL).status_code == 200
    assert bearer(other["access"]).get(ME_URL).status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": other["refresh"]}, format="json").status_code == 401
    login(api_client, user.email, NEW_PASSWORD)


def test_change_password_needs_the_current_one(user, password, tokens):
    response = bearer(tokens["access"]).post(
        CHANGE, {"current_password": "wrong guess", "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "current_password" in response.json()["errors"]["fields"]
    user.refresh_from_db()
    assert user.check_password(password)


def test_change_password_validates_the_new_one(tokens, password):
    response = bearer(tokens["access"]).post(
        CHANGE, {"current_password": password, "new_password": "password1"}, format="json"
    )
    assert response.status_code == 400
    assert "new_password" in response.json()["errors"]["fields"]


def test_change_password_needs_authentication(api_client):
    assert api_client.post(CHANGE, {}, format="json").status_code == 401


def test_reset_request_answers_the_same_whether_or_not_the_account_exists(
    api_client, django_capture_on_commit_callbacks, user
):
    known = request_reset(api_client, django_capture_on_commit_callbacks, "ADA@example.com")
    unknown = request_reset(api_client, django_capture_on_commit_callbacks, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_reset_link_carries_the_token_field_and_points_at_the_frontend(
    api_client, django_capture_on_commit_callbacks, settings, user
):
    settings.FRONTEND_URL = "https://movies.example.org/"
    request_reset(api_client, django_capture_on_commit_callbacks, user.email)
    message = last_email_to(user.email)
    assert "https://movies.example.org/reset-password?token=" in message.body
    assert set(link_params(message)) == {"token"}
    assert message.alternatives[0][1] == "text/html"


def test_reset_confirm_sets_the_password_and_ends_every_session(
    api_client, django_capture_on_commit_callbacks, user, tokens
):
    # given
    request_reset(api_client, django_capture_on_commit_callbacks, user.email)
    params = link_params(last_email_to(user.email))
    # when
    response = api_client.post(CONFIRM, {**params, "new_password": NEW_PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    assert bearer(tokens["access"]).get(ME_URL).status_code == 401
    assert api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    login(api_client, user.email, NEW_PASSWORD)
    again = api_client.post(CONFIRM, {**params, "new_password": "another fine passphrase"}, format="json")
    assert again.status_code == 400  # single use


def test_reset_confirm_also_verifies_the_email(api_client, django_capture_on_commit_callbacks, user):
    user.email_verified = False
    user.save()
    request_reset(api_client, django_capture_on_commit_callbacks, user.email)
    params = link_params(last_email_to(user.email))
    api_client.post(CONFIRM, {**params, "new_password": NEW_PASSWORD}, format="json")
    user.refresh_from_db()
    assert user.email_verified


def test_reset_token_expires(api_client, django_capture_on_commit_callbacks, user, password):
    request_reset(api_client, django_capture_on_commit_callbacks, user.email)
    params = link_params(last_email_to(user.email))
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        response = api_client.post(CONFIRM, {**params, "new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(password)


def test_reset_confirm_refuses_a_weak_password_and_keeps_the_token(
    api_client, django_capture_on_commit_callbacks, user
):
    request_reset(api_client, django_capture_on_commit_callbacks, user.email)
    params = link_params(last_email_to(user.email))
    weak = api_client.post(CONFIRM, {**params, "new_password": "qwerty"}, format="json")
    assert weak.status_code == 400
    assert "new_password" in weak.json()["errors"]["fields"]
    assert (
        api_client.post(CONFIRM, {**params, "new_password": NEW_PASSWORD}, format="json").status_code == 200
    )


def test_a_password_change_voids_pending_reset_links(
    api_client, django_capture_on_commit_callbacks, user, password, tokens
):
    request_reset(api_client, django_capture_on_commit_callbacks, user.email)
    params = link_params(last_email_to(user.email))
    bearer(tokens["access"]).post(
        CHANGE, {"current_password": password, "new_password": NEW_PASSWORD}, format="json"
    )
    response = api_client.post(CONFIRM, {**params, "new_password": "yet another passphrase"}, format="json")
    assert response.status_code == 400


def test_a_verification_token_cannot_reset_a_password(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/v1/auth/register/", {"email": "new@example.com", "password": NEW_PASSWORD}, format="json"
        )
    params = link_params(last_email_to("new@example.com"))
    response = api_client.post(CONFIRM, {**params, "new_password": "hijacked passphrase!"}, format="json")
    assert response.status_code == 400
