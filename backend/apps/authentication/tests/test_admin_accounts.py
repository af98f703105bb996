"""Admin pages for account records: sessions, verification tokens, lockouts, and the user actions."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.authentication.admin_accounts import SESSION_INLINE_LIMIT
from apps.authentication.models import EmailOutbox, LoginLockout, User, UserSession, VerificationToken
from core.adminsite.testing import changelist_queries, client_for, make_staff

from .admin_records import make_session, make_token
from .factories import UserFactory
from .fixtures import LOGIN_URL, ME_URL, REFRESH_URL, bearer, last_email_to, link_params, login

pytestmark = pytest.mark.django_db

SESSIONS_URL = reverse("admin:authentication_usersession_changelist")
TOKENS_URL = reverse("admin:authentication_verificationtoken_changelist")
LOCKOUTS_URL = reverse("admin:authentication_loginlockout_changelist")
USERS_URL = reverse("admin:authentication_user_changelist")
VERIFY_URL = "/api/v1/auth/verify-email/"


def run_action(client, url: str, action: str, selection: list) -> list[str]:
    response = client.post(url, {"action": action, "_selected_action": selection}, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def refresh_status(api_client, refresh: str) -> int:
    return api_client.post(REFRESH_URL, {"refresh": refresh}, format="json").status_code


# Sessions -----------------------------------------------------------------------------------


def test_session_pages_are_read_only(admin_client, user):
    # given
    session = make_session(user)
    # when
    changelist = admin_client.get(SESSIONS_URL)
    change = admin_client.get(reverse("admin:authentication_usersession_change", args=[session.pk]))
    add = admin_client.get(reverse("admin:authentication_usersession_add"))
    delete = admin_client.post(
        reverse("admin:authentication_usersession_delete", args=[session.pk]), {"post": "yes"}
    )
    # then
    assert list(changelist.context["cl"].result_list) == [session]
    assert "ada@example.com" in changelist.content.decode()
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False
    assert add.status_code == 403
    assert delete.status_code == 403
    assert UserSession.objects.filter(pk=session.pk).exists()
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ada@"}, ["ada"]),
        ({"q": "198.51.100.4"}, ["bob"]),
        ({"q": "not-an-ip"}, []),
        ({"state": "live"}, ["ada"]),
        ({"state": "revoked"}, ["bob"]),
        ({"state": "expired"}, ["eve"]),
    ],
)
def test_sessions_are_searched_by_email_or_ip_and_filtered_by_state(
    admin_client, user, other_user, query, expected
):
    # given
    make_session(user)
    make_session(other_user, ip_address="198.51.100.4", revoked_at=timezone.now(), revoked_reason="logout")
    make_session(UserFactory(email="eve@example.com"), expires_at=timezone.now() - timedelta(minutes=1))
    # when
    response = admin_client.get(SESSIONS_URL, query)
    # then
    shown = sorted(session.user.email.split("@")[0] for session in response.context["cl"].result_list)
    assert shown == expected


def test_revoking_sessions_in_the_admin_ends_them_through_the_api_at_once(api_client, user):
    # given: two signed-in devices, the access token's session check already cached
    first, second = login(api_client, user.email), login(api_client, user.email)
    assert bearer(first["access"]).get(ME_URL).status_code == 200
    staff = make_staff(perms=("authentication.view_usersession", "authentication.change_usersession"))
    first_sid = UserSession.objects.get(
        user=user, created_at=min(s.created_at for s in user.sessions.all())
    ).pk
    # when
    shown = run_action(client_for(staff), SESSIONS_URL, "revoke_sessions", [first_sid])
    # then
    assert "1 session(s) revoked." in shown
    assert refresh_status(api_client, first["refresh"]) == 401
    assert bearer(first["access"]).get(ME_URL).status_code == 401
    assert refresh_status(api_client, second["refresh"]) == 200
    revoked = UserSession.objects.get(pk=first_sid)
    assert revoked.revoked_reason == UserSession.RevokeReason.STAFF_REVOKED


def test_non_superusers_cannot_revoke_staff_sessions_and_view_only_staff_have_no_action(user):
    # given
    colleague = make_staff("colleague@example.com")
    theirs, members = make_session(colleague), make_session(user)
    revoker = make_staff(perms=("authentication.view_usersession", "authentication.change_usersession"))
    viewer = client_for(make_staff("viewer@example.com", perms=("authentication.view_usersession",)))
    # when
    shown = run_action(client_for(revoker), SESSIONS_URL, "revoke_sessions", [theirs.pk, members.pk])
    refused = viewer.post(SESSIONS_URL, {"action": "revoke_sessions", "_selected_action": [members.pk]})
    # then
    assert "1 session(s) revoked." in shown
    assert any("1 session(s) left as they were" in text for text in shown)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert "revoke_sessions" not in viewer.get(SESSIONS_URL).context["cl"].model_admin.get_actions(
        refused.wsgi_request
    )


# Verification tokens ------------------------------------------------------------------------


def test_verification_tokens_are_fully_read_only_and_show_only_a_hash_prefix(admin_client, user):
    # given
    token = make_token(user)
    change_url = reverse("admin:authentication_verificationtoken_change", args=[token.pk])
    # when
    changelist = admin_client.get(TOKENS_URL, {"q": "ada@"})
    change = admin_client.get(change_url)
    posted = admin_client.post(change_url, {"purpose": "password_reset", "used_at": ""})
    # then
    assert list(changelist.context["cl"].result_list) == [token]
    for page in (changelist, change):
        body = page.content.decode()
        assert f"{token.token_hash[:8]}…" in body
        assert token.token_hash not in body
    assert change.context["has_change_permission"] is False
    assert posted.status_code == 403
    assert admin_client.get(reverse("admin:authentication_verificationtoken_add")).status_code == 403
    delete_url = reverse("admin:authentication_verificationtoken_delete", args=[token.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    token.refresh_from_db()
    assert token.purpose == VerificationToken.Purpose.VERIFY_EMAIL


@pytest.mark.parametrize(("state", "expected"), [("usable", "a"), ("used", "b"), ("expired", "c")])
def test_verification_tokens_filter_by_state(admin_client, user, state, expected):
    # given
    tokens = {
        "a": make_token(user, raw="a"),
        "b": make_token(user, raw="b", used_at=timezone.now()),
        "c": make_token(user, raw="c", expires_at=timezone.now() - timedelta(seconds=1)),
    }
    # when
    response = admin_client.get(TOKENS_URL, {"state": state})
    # then
    assert list(response.context["cl"].result_list) == [tokens[expected]]


# Lockouts -----------------------------------------------------------------------------------


def test_clearing_a_lockout_lets_the_user_sign_in_again(api_client, user, settings):
    # given: the account is locked after too many wrong passwords
    for _ in range(settings.LOGIN_LOCKOUT_THRESHOLD + 1):
        api_client.post(LOGIN_URL, {"email": user.email, "password": "wrong"}, format="json")
    lockout = LoginLockout.objects.get(email=user.email)
    assert lockout.locked_until is not None
    staff = client_for(
        make_staff(perms=("authentication.view_loginlockout", "authentication.change_loginlockout"))
    )
    # when
    page = staff.get(LOCKOUTS_URL, {"locked": "yes"})
    shown = run_action(staff, LOCKOUTS_URL, "clear_lockouts", [lockout.pk])
    # then
    assert list(page.context["cl"].result_list) == [lockout]
    assert "1 lockout(s) cleared." in shown
    assert not LoginLockout.objects.filter(email=user.email).exists()
    login(api_client, user.email)


def test_lockout_pages_are_read_only(admin_client):
    # given
    lockout = LoginLockout.objects.create(email="x@example.com", attempts=2)
    # when
    change = admin_client.get(reverse("admin:authentication_loginlockout_change", args=[lockout.pk]))
    unlocked = admin_client.get(LOCKOUTS_URL, {"locked": "no"})
    # then
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False
    assert list(unlocked.context["cl"].result_list) == [lockout]
    assert admin_client.get(reverse("admin:authentication_loginlockout_add")).status_code == 403


# The user page ------------------------------------------------------------------------------


def test_user_page_shows_the_most_recent_sessions_in_one_query(admin_client, user, other_user):
    # given: ada has more sessions than the inline shows, bob has one
    for minutes in range(SESSION_INLINE_LIMIT + 5):
        make_session(user, minutes_ago=minutes, device=f"device {minutes}")
    make_session(other_user)
    url = reverse("admin:authentication_user_change", args=[user.pk])
    # when
    response = admin_client.get(url)
    many = page_queries(admin_client, url)
    one = page_queries(admin_client, reverse("admin:authentication_user_change", args=[other_user.pk]))
    # then
    formset = next(fs for fs in response.context["inline_admin_formsets"] if fs.formset.model is UserSession)
    devices = [form.instance.device for form in formset.formset.forms]
    assert devices == [f"device {minutes}" for minutes in range(SESSION_INLINE_LIMIT)]
    body = response.content.decode()
    assert "device 0" in body
    assert f"device {SESSION_INLINE_LIMIT}" not in body
    assert f"{SESSIONS_URL}?user__id__exact={user.pk}" in body
    assert many == one


def test_sessions_inline_needs_the_session_view_permission_and_links_to_the_filtered_list(user, other_user):
    # given
    make_session(user)
    make_session(other_user)
    url = reverse("admin:authentication_user_change", args=[user.pk])
    users_only = client_for(make_staff(perms=("authentication.view_user",)))
    both = client_for(
        make_staff("both@example.com", perms=("authentication.view_user", "authentication.view_usersession"))
    )
    # when
    hidden = users_only.get(url).context["inline_admin_formsets"]
    shown = both.get(url).context["inline_admin_formsets"]
    listed = both.get(SESSIONS_URL, {"user__id__exact": user.pk})
    # then
    assert UserSession not in [fs.formset.model for fs in hidden]
    assert UserSession in [fs.formset.model for fs in shown]
    assert [session.user for session in listed.context["cl"].result_list] == [user]


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_saving_a_user_leaves_the_sessions_inline_alone(admin_client, user):
    # given
    session = make_session(user)
    url = reverse("admin:authentication_user_change", args=[user.pk])
    page = admin_client.get(url)
    data = {
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "profile-TOTAL_FORMS": "0",
        "profile-INITIAL_FORMS": "0",
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        for form in formset.formset.forms:
            data.update(
                {form.add_prefix(name): form[name].value() for name in form.fields if form[name].value()}
            )
    # when
    response = admin_client.post(url, data)
    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.email_verified
    assert UserSession.objects.get(pk=session.pk).revoked_at is None


def test_revoke_all_sessions_action_signs_users_out_everywhere(api_client, user, other_user):
    # given
    mine, theirs = login(api_client, user.email), login(api_client, other_user.email)
    assert bearer(mine["access"]).get(ME_URL).status_code == 200
    colleague = make_staff("colleague@example.com")
    make_session(colleague)
    staff = client_for(make_staff(perms=("authentication.view_user", "authentication.change_user")))
    # when
    shown = run_action(staff, USERS_URL, "revoke_all_sessions", [user.pk, colleague.pk])
    # then
    assert "1 session(s) of 1 user(s) revoked." in shown
    assert any("1 user(s) skipped" in text for text in shown)
    assert refresh_status(api_client, mine["refresh"]) == 401
    assert bearer(mine["access"]).get(ME_URL).status_code == 401
    assert refresh_status(api_client, theirs["refresh"]) == 200
    assert UserSession.objects.get(user=colleague).revoked_at is None


def test_resend_verification_emails_unverified_users_with_a_working_link(
    api_client, user, django_capture_on_commit_callbacks
):
    # given: ada is verified, new is not
    unverified = UserFactory(email="new@example.com", email_verified=False)
    staff = client_for(make_staff(perms=("authentication.view_user", "authentication.change_user")))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        shown = run_action(staff, USERS_URL, "resend_verification", [user.pk, unverified.pk])
    # then
    assert "Verification email queued for 1 user(s)." in shown
    assert any("1 user(s) skipped (already verified, or inactive)" in text for text in shown)
    assert len(mail.outbox) == 1
    token = link_params(last_email_to("new@example.com"))["token"]
    assert api_client.post(VERIFY_URL, {"token": token}, format="json").status_code == 200
    unverified.refresh_from_db()
    assert unverified.email_verified


def test_resend_verification_refuses_too_large_a_selection(admin_client, monkeypatch):
    # given
    monkeypatch.setattr("apps.authentication.admin.RESEND_VERIFICATION_LIMIT", 1)
    users = [UserFactory(email_verified=False) for _ in range(2)]
    # when
    shown = run_action(admin_client, USERS_URL, "resend_verification", [u.pk for u in users])
    # then
    assert any("send to at most 1 at once" in text for text in shown)
    assert not VerificationToken.objects.exists()
    assert mail.outbox == []


# Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "url", "perm", "build"),
    [
        (UserSession, SESSIONS_URL, "view_usersession", lambda owner, n: make_session(owner, minutes_ago=n)),
        (
            VerificationToken,
            TOKENS_URL,
            "view_verificationtoken",
            lambda owner, n: make_token(owner, raw=str(n)),
        ),
        (
            LoginLockout,
            LOCKOUTS_URL,
            "view_loginlockout",
            lambda owner, n: LoginLockout.objects.create(email=f"{n}@example.com"),
        ),
        (
            EmailOutbox,
            reverse("admin:authentication_emailoutbox_changelist"),
            "view_emailoutbox",
            lambda owner, n: EmailOutbox.objects.create(kind="account_exists", email=owner.email),
        ),
    ],
)
def test_account_changelists_run_a_constant_number_of_queries(
    monkeypatch, django_assert_max_num_queries, model, url, perm, build
):
    # given: 30 rows of 30 different users
    for number in range(30):
        build(User.objects.create_user(f"owner{number}@example.com", None), number)
    client = client_for(make_staff(perms=(f"authentication.{perm}",)))
    counts = []
    # when
    for page_size in (5, 25):
        monkeypatch.setattr(type(admin.site._registry[model]), "list_per_page", page_size)
        with django_assert_max_num_queries(6):
            queries, rows = changelist_queries(client, url)
        assert rows == page_size
        counts.append(queries)
    # then
    assert counts[0] == counts[1]
