"""Revoked at once, even when the cache write of the revocation is lost (a Redis blip)."""

import time

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from apps.authentication.services.tokens import session_state_key
from core import cache
from core.cache import layers
from core.tests.test_cache_faults import own_redis  # noqa: F401 - a throwaway Redis to freeze

from .fixtures import ME_URL, bearer, login

pytestmark = pytest.mark.django_db
LOGOUT = "/api/v1/auth/logout/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
WRITES = {"set", "delete", "add", "set_many", "delete_many"}


@pytest.fixture
def lost_cache_writes(monkeypatch):
    """Every cache write fails as on a Redis that stopped answering; reads still work."""
    real = layers.l2_call

    def l2_call(operation, *args, **kwargs):
        if operation in WRITES:
            raise layers.L2Error("timed out")
        return real(operation, *args, **kwargs)

    def lose_writes():
        monkeypatch.setattr(layers, "l2_call", l2_call)

    yield lose_writes
    monkeypatch.setattr(layers, "l2_call", real)


def _sid(access: str) -> str:
    return str(AccessToken(access)["sid"])


def test_a_logout_whose_cache_write_is_lost_still_ends_the_access_token(
    api_client, user, password, lost_cache_writes
):
    # given a session whose "alive" answer is cached
    pair = login(api_client, user.email, password)
    client = bearer(pair["access"])
    assert client.get(ME_URL).status_code == 200
    # when the logout's cache write is lost
    lost_cache_writes()
    assert api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 200
    # then the stale "alive" entry is still cached, yet the token is refused
    assert cache.get(session_state_key(_sid(pair["access"])))[0] == user.pk
    assert client.get(ME_URL).status_code == 401


def test_a_password_change_whose_cache_write_is_lost_ends_the_other_sessions(
    api_client, user, password, lost_cache_writes
):
    # given two signed-in devices, both checked once (cached alive)
    here, there = login(api_client, user.email, password), login(api_client, user.email, password)
    assert bearer(there["access"]).get(ME_URL).status_code == 200
    assert bearer(here["access"]).get(ME_URL).status_code == 200
    # when the password changes on one of them while cache writes are lost
    lost_cache_writes()
    response = bearer(here["access"]).post(
        PASSWORD_CHANGE,
        {"current_password": password, "new_password": "a brand new passphrase"},
        format="json",
    )
    # then the other device is out at once, and this one stays in
    assert response.status_code == 200
    assert bearer(there["access"]).get(ME_URL).status_code == 401
    assert bearer(here["access"]).get(ME_URL).status_code == 200


def test_other_users_sessions_keep_their_cached_answer(api_client, user, other_user, password):
    # given
    mine, theirs = login(api_client, user.email, password), login(api_client, other_user.email, password)
    assert bearer(theirs["access"]).get(ME_URL).status_code == 200
    # when
    api_client.post(LOGOUT, {"refresh": mine["refresh"]}, format="json")
    # then the other user's epoch did not move: their cached answer is still used
    assert cache.get(session_state_key(_sid(theirs["access"]))) == (other_user.pk, 0)
    assert bearer(theirs["access"]).get(ME_URL).status_code == 200


@pytest.mark.services
def test_a_logout_during_a_redis_freeze_still_ends_the_access_token(
    api_client,
    user,
    password,
    own_redis,  # noqa: F811 - the fixture imported above
    settings,
):
    # given a signed-in session whose "alive" answer sits in (a throwaway) Redis
    pair = login(api_client, user.email, password)
    client = bearer(pair["access"])
    assert client.get(ME_URL).status_code == 200
    # when Redis freezes for the logout, then comes back
    own_redis.freeze()
    try:
        response = api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")
    finally:
        own_redis.thaw()
    time.sleep(settings.CACHE_BREAKER_COOLDOWN + 0.2)  # the cache breaker lets Redis back in
    # then Redis still says "alive" (the delete was lost), yet the token is refused at once
    assert response.status_code == 200
    assert cache.get(session_state_key(_sid(pair["access"])))[0] == user.pk
    assert client.get(ME_URL).status_code == 401
