"""Registration, email verification and resending: flows, bad inputs and enumeration."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from apps.authentication.models import VerificationToken
from apps.authentication.services.verification import hash_token
from apps.users.models import Profile

from .fixtures import last_email_to, link_params

pytestmark = pytest.mark.django_db
User = get_user_model()
REGISTER = "/api/v1/auth/register/"
VERIFY = "/api/v1/auth/verify-email/"
RESEND = "/api/v1/auth/verify-email/resend/"
GOOD_PASSWORD = "tangerine submarine orchestra"


def register(client, capture, **body):
    payload = {"email": "new@example.com", "password": GOOD_PASSWORD, **body}
    with capture(execute=True):
        return client.post(REGISTER, payload, format="json")


def test_register_creates_unverified_user_profile_and_emails_a_link(
    api_client, django_capture_on_commit_callbacks, settings
):
    # given
    settings.FRONTEND_URL = "https://app.example.com"
    # when
    response = register(
        api_client, django_capture_on_commit_callbacks, email="New@Example.com", display_name="Neo"
    )
    # then
    assert response.status_code == 202
    assert response.json()["data"] == {"email": "new@example.com", "verification_required": True}
    user = User.objects.get(email="new@example.com")
    assert not user.email_verified
    assert user.password.startswith(("md5$", "argon2"))
    assert Profile.objects.get(user=user).display_name == "Neo"
    message = last_email_to("new@example.com")
    assert "https://app.example.com/verify-email?token=" in message.body
    assert "https://app.example.com/verify-email?token=" in message.alternatives[0][0]
    token = link_params(message)["token"]
    assert not VerificationToken.objects.filter(token_hash=token).exists()  # only the hash is stored
    assert VerificationToken.objects.filter(token_hash=hash_token(token), user=user).exists()


def test_the_emailed_token_verifies_the_address_once(api_client, django_capture_on_commit_callbacks):
    # given
    register(api_client, django_capture_on_commit_callbacks)
    params = link_params(last_email_to("new@example.com"))
    # when
    first = api_client.post(VERIFY, params, format="json")
    second = api_client.post(VERIFY, params, format="json")
    # then
    assert first.status_code == 200
    assert first.json()["data"] == {"email": "new@example.com", "email_verified": True}
    assert User.objects.get(email="new@example.com").email_verified
    assert second.status_code == 400
    assert "token" in second.json()["errors"]["fields"]


def test_verification_token_expires_after_24_hours(api_client, django_capture_on_commit_callbacks):
    register(api_client, django_capture_on_commit_callbacks)
    params = link_params(last_email_to("new@example.com"))
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1), tick=False):
        response = api_client.post(VERIFY, params, format="json")
    assert response.status_code == 400
    assert not User.objects.get(email="new@example.com").email_verified


@pytest.mark.parametrize("token", ["", "nope", "x" * 201])
def test_bad_verification_tokens_are_400(api_client, token):
    response = api_client.post(VERIFY, {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "too short"),
        ("password123", "common"),
        ("12345678901234", "numeric"),
        ("new@example.com", "like the email"),
    ],
)
def test_weak_passwords_are_refused(api_client, django_capture_on_commit_callbacks, password, reason):
    response = register(api_client, django_capture_on_commit_callbacks, password=password)
    assert response.status_code == 400, reason
    assert "password" in response.json()["errors"]["fields"]
    assert not User.objects.filter(email="new@example.com").exists()


def test_long_passphrases_are_welcome(api_client, django_capture_on_commit_callbacks):
    passphrase = "correct horse battery staple " * 5  # 145 characters
    response = register(api_client, django_capture_on_commit_callbacks, password=passphrase)
    assert response.status_code == 202
    assert User.objects.get(email="new@example.com").check_password(passphrase)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": GOOD_PASSWORD},
        {"password": GOOD_PASSWORD},
        {"email": "new@example.com"},
        {"email": "new@example.com", "password": "x" * 513},
        {"email": ["a@example.com"], "password": GOOD_PASSWORD},
    ],
)
def test_bad_registration_input_is_400(api_client, body):
    response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["code"] == "validation_error"


@pytest.mark.parametrize("field", ["is_staff", "is_superuser", "email_verified", "id", "date_joined"])
def test_registration_refuses_mass_assignment(api_client, django_capture_on_commit_callbacks, field):
    response = register(api_client, django_capture_on_commit_callbacks, **{field: True})
    assert response.status_code == 400
    assert field in response.json()["errors"]["fields"]
    assert not User.objects.filter(email="new@example.com").exists()


def test_registering_a_taken_email_answers_the_same_and_warns_the_owner(
    api_client, django_capture_on_commit_callbacks, user
):
    # given
    fresh = register(api_client, django_capture_on_commit_callbacks, email="fresh@example.com")
    mail.outbox.clear()
    # when
    taken = register(api_client, django_capture_on_commit_callbacks, email="ADA@example.com")
    # then
    assert taken.status_code == fresh.status_code == 202
    assert taken.json()["message"] == fresh.json()["message"]
    assert set(taken.json()["data"]) == set(fresh.json()["data"])
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert user.password == User.objects.get(pk=user.pk).password  # untouched
    notice = last_email_to("ada@example.com")
    assert link_params(notice) == {"email": "ada@example.com"}  # the login page, prefilled


def test_resend_answers_the_same_for_any_address(api_client, django_capture_on_commit_callbacks, user):
    # given: one unverified account, one verified (user), one unknown address
    register(api_client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    answers = []
    # when
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("new@example.com", user.email, "nobody@example.com"):
            answers.append(api_client.post(RESEND, {"email": email}, format="json"))
    # then
    assert {response.status_code for response in answers} == {202}
    assert len({response.content for response in answers}) == 1
    assert [message.to for message in mail.outbox] == [["new@example.com"]]


def test_resend_invalidates_the_previous_link(api_client, django_capture_on_commit_callbacks):
    register(api_client, django_capture_on_commit_callbacks)
    old = link_params(last_email_to("new@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESEND, {"email": "new@example.com"}, format="json")
    new = link_params(last_email_to("new@example.com"))
    assert old != new
    assert api_client.post(VERIFY, old, format="json").status_code == 400
    assert api_client.post(VERIFY, new, format="json").status_code == 200
