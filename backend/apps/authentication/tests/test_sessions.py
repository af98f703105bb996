"""Refresh rotation, reuse detection, logout, logout-all, listing and revoking sessions."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.authentication.models import UserSession

from .fixtures import ME_URL, REFRESH_URL, bearer, login

pytestmark = pytest.mark.django_db
SESSIONS = "/api/v1/auth/sessions/"


def refresh(client, token: str):
    return client.post(REFRESH_URL, {"refresh": token}, format="json")


def test_refresh_rotates_both_tokens(api_client, tokens):
    # when
    response = refresh(api_client, tokens["refresh"])
    # then
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["refresh"] != tokens["refresh"] and data["access"] != tokens["access"]
    assert data["session_id"] == tokens["session_id"]
    assert bearer(data["access"]).get(ME_URL).status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_reusing_a_rotated_refresh_token_ends_the_whole_session(api_client, tokens):
    # given
    rotated = refresh(api_client, tokens["refresh"]).json()["data"]
    # when: the old refresh token comes back (a thief, or a replay)
    reuse = refresh(api_client, tokens["refresh"])
    # then
    assert reuse.status_code == 401
    assert reuse.json()["errors"]["code"] == "token_not_valid"
    session = UserSession.objects.get(id=tokens["session_id"])
    assert session.revoked_reason == UserSession.RevokeReason.REUSE_DETECTED
    assert refresh(api_client, rotated["refresh"]).status_code == 401
    assert bearer(rotated["access"]).get(ME_URL).status_code == 401


def test_reuse_in_one_session_leaves_other_sessions_alone(api_client, user, tokens):
    other = login(api_client, user.email)
    refresh(api_client, tokens["refresh"])
    refresh(api_client, tokens["refresh"])
    assert refresh(api_client, other["refresh"]).status_code == 200


def test_expired_refresh_token_is_refused(api_client, tokens):
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1), tick=False):
        assert refresh(api_client, tokens["refresh"]).status_code == 401


def test_refresh_extends_the_session(api_client, tokens):
    with time_machine.travel(timezone.now() + timedelta(days=10), tick=False):
        rotated = refresh(api_client, tokens["refresh"]).json()["data"]
    with time_machine.travel(timezone.now() + timedelta(days=20), tick=False):
        assert refresh(api_client, rotated["refresh"]).status_code == 200


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_refresh_for_an_inactive_or_deleted_user_is_401(api_client, user, tokens, change):
    if change == "deactivate":
        user.is_active = False
        user.save()
    else:
        user.delete()
    response = refresh(api_client, tokens["refresh"])
    assert response.status_code == 401
    assert response.json()["errors"]["code"] == "token_not_valid"


@pytest.mark.parametrize(
    "body", [{}, {"refresh": ""}, {"refresh": "a.b.c"}, {"refresh": 12}, {"refresh": "x" * 5000}]
)
def test_bad_refresh_input_is_400_or_401(api_client, body):
    assert api_client.post(REFRESH_URL, body, format="json").status_code in (400, 401)


def test_logout_with_the_refresh_token_ends_the_session(api_client, tokens):
    response = api_client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200
    assert refresh(api_client, tokens["refresh"]).status_code == 401
    assert bearer(tokens["access"]).get(ME_URL).status_code == 401


def test_logout_with_only_the_access_token_ends_that_session(api_client, user, tokens):
    other = login(api_client, user.email)
    response = bearer(tokens["access"]).post("/api/v1/auth/logout/", {}, format="json")
    assert response.status_code == 200
    assert bearer(tokens["access"]).get(ME_URL).status_code == 401
    assert refresh(api_client, tokens["refresh"]).status_code == 401
    assert bearer(other["access"]).get(ME_URL).status_code == 200


def test_logout_works_with_an_expired_access_token(tokens):
    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        response = bearer(tokens["access"]).post(
            "/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json"
        )
    assert response.status_code == 200
    assert UserSession.objects.get(id=tokens["session_id"]).revoked_reason == "logout"


def test_logout_without_any_token_is_400(api_client):
    assert api_client.post("/api/v1/auth/logout/", {}, format="json").status_code == 400


def test_logout_all_ends_every_session(api_client, user, tokens):
    other = login(api_client, user.email)
    response = bearer(tokens["access"]).post("/api/v1/auth/logout-all/")
    assert response.status_code == 200
    assert response.json()["data"] == {"revoked_sessions": 2}
    for pair in (tokens, other):
        assert bearer(pair["access"]).get(ME_URL).status_code == 401
        assert refresh(api_client, pair["refresh"]).status_code == 401


def test_logout_all_needs_authentication(api_client):
    assert api_client.post("/api/v1/auth/logout-all/").status_code == 401


def test_sessions_list_shows_my_live_sessions_and_marks_the_current_one(api_client, user, other_user, tokens):
    # given
    second = login(
        api_client, user.email, HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1"
    )
    ended = login(api_client, user.email)
    bearer(ended["access"]).post("/api/v1/auth/logout/", {}, format="json")
    login(api_client, other_user.email)
    # when
    response = bearer(tokens["access"]).get(SESSIONS)
    # then
    assert response.status_code == 200
    sessions = {item["id"]: item for item in response.json()["data"]}
    assert set(sessions) == {tokens["session_id"], second["session_id"]}
    assert sessions[tokens["session_id"]]["current"] is True
    assert sessions[second["session_id"]]["current"] is False
    assert sessions[second["session_id"]]["device"] == "Safari on iOS"
    assert response.json()["meta"]["pagination"]["total_results"] == 2


def test_revoking_one_session_stops_its_tokens_at_once(api_client, user, tokens):
    # given
    other = login(api_client, user.email)
    assert bearer(other["access"]).get(ME_URL).status_code == 200  # its state is now cached
    # when
    response = bearer(tokens["access"]).delete(f"{SESSIONS}{other['session_id']}/")
    # then
    assert response.status_code == 204
    assert bearer(other["access"]).get(ME_URL).status_code == 401
    assert refresh(api_client, other["refresh"]).status_code == 401
    assert bearer(tokens["access"]).get(ME_URL).status_code == 200


def test_a_user_can_never_see_or_revoke_another_users_session(api_client, other_user, tokens):
    # given
    theirs = login(api_client, other_user.email)
    # when
    listed = bearer(tokens["access"]).get(SESSIONS).json()["data"]
    revoke = bearer(tokens["access"]).delete(f"{SESSIONS}{theirs['session_id']}/")
    # then
    assert theirs["session_id"] not in {item["id"] for item in listed}
    assert revoke.status_code == 404
    assert revoke.json()["errors"]["code"] == "not_found"
    assert bearer(theirs["access"]).get(ME_URL).status_code == 200


def test_unknown_or_malformed_session_ids_are_404(tokens):
    client = bearer(tokens["access"])
    assert client.delete(f"{SESSIONS}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.delete(f"{SESSIONS}not-a-uuid/").status_code == 404


def test_session_revocation_survives_a_cache_wipe(user, tokens):
    from conftest import clear_cache

    UserSession.objects.filter(id=tokens["session_id"]).update(revoked_at=timezone.now())
    clear_cache()
    assert bearer(tokens["access"]).get(ME_URL).status_code == 401
