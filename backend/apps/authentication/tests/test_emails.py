"""EmailService and the email tasks: templates, frontend links, after-commit delivery (outbox: test_outbox)."""

import pytest
from django.core import mail

from apps.authentication.services.email import EmailService, frontend_link
from apps.authentication.tasks import send_account_email

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_frontend_link_joins_cleanly_and_encodes_parameters(settings):
    settings.FRONTEND_URL = "https://app.example.com/"
    assert (
        frontend_link("/login", email="a+b@example.com")
        == "https://app.example.com/login?email=a%2Bb%40example.com"
    )


@pytest.mark.parametrize("kind", ["verify_email", "password_reset", "account_exists"])
def test_every_email_has_text_and_html_with_the_link(kind):
    # given
    user = UserFactory(email="ada@example.com")
    # when
    sent = EmailService().send(kind=kind, user_id=user.pk, token="tok-123")
    # then
    assert sent is True
    message = mail.outbox[-1]
    assert message.to == ["ada@example.com"]
    assert message.subject and "\n" not in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    expected = "token=tok-123" if kind != "account_exists" else "email=ada%40example.com"
    assert expected in message.body
    assert expected in html


def test_no_email_for_a_user_who_is_gone():
    assert EmailService().send(kind="verify_email", user_id=987654, token="t") is False
    assert mail.outbox == []


def test_unknown_email_kind_is_a_programming_error():
    user = UserFactory()
    with pytest.raises(ValueError):
        EmailService().send(kind="spam", user_id=user.pk)


def test_the_previous_releases_task_still_sends_through_the_service():
    user = UserFactory(email="task@example.com")
    assert send_account_email.delay("password_reset", user.pk, "abc").get() is True
    assert mail.outbox[-1].to == ["task@example.com"]


def test_registration_email_waits_for_the_commit(api_client, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_client.post(
            "/api/v1/auth/register/",
            {"email": "new@example.com", "password": "a long enough phrase"},
            format="json",
        )
        # then: nothing is sent before the transaction commits
        assert mail.outbox == []
    emails = [callback for callback in callbacks if "EmailOutboxService" in callback.__qualname__]
    assert len(emails) == 1  # (the others make the new profile's caches stale)
    emails[0]()
    assert mail.outbox[-1].to == ["new@example.com"]
