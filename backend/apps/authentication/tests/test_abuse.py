"""Abuse resistance: per-account lockout in the database, throttles with Retry-After, proxy headers."""

from datetime import timedelta

import pytest
import time_machine
from conftest import clear_cache
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.utils import timezone

from apps.authentication.models import LoginLockout
from apps.authentication.network import client_ip

from .fixtures import LOGIN_URL

pytestmark = pytest.mark.django_db
DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.05, "SOCKET_TIMEOUT": 0.05},
    }
}


def attempt(client, email, password, **extra):
    return client.post(LOGIN_URL, {"email": email, "password": password}, format="json", **extra)


@pytest.fixture
def rates(settings):
    """Set some throttle rates for one test (the others keep their configured value)."""

    def apply(**scoped):
        current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**current, **scoped},
        }

    return apply


def test_wrong_passwords_lock_the_account_within_ten_attempts(api_client, user, password):
    # given
    assert settings.LOGIN_LOCKOUT_THRESHOLD <= 10
    statuses = [attempt(api_client, user.email, f"guess {n}").status_code for n in range(10)]
    # when: even the right password is refused while locked
    locked = attempt(api_client, user.email, password)
    # then
    assert statuses[: settings.LOGIN_LOCKOUT_THRESHOLD] == [401] * settings.LOGIN_LOCKOUT_THRESHOLD
    assert set(statuses[settings.LOGIN_LOCKOUT_THRESHOLD :]) == {429}
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.json()["errors"]["code"] == "throttled"


def test_lockout_lifts_after_its_duration_and_success_clears_it(api_client, user, password):
    for n in range(settings.LOGIN_LOCKOUT_THRESHOLD + 1):
        attempt(api_client, user.email, f"guess {n}")
    later = timezone.now() + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        clear_cache()
        assert attempt(api_client, user.email, password).status_code == 200
    assert not LoginLockout.objects.filter(email=user.email).exists()


def test_unknown_emails_lock_exactly_like_known_ones(api_client):
    statuses = [attempt(api_client, "nobody@example.com", "guess").status_code for _ in range(7)]
    assert 429 in statuses


def test_lockout_cannot_be_reset_by_spoofing_x_forwarded_for(api_client, user, password):
    for n in range(settings.LOGIN_LOCKOUT_THRESHOLD + 1):
        attempt(api_client, user.email, f"guess {n}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = attempt(api_client, user.email, password, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_lockout_holds_when_the_cache_is_wiped(api_client, user, password):
    for n in range(settings.LOGIN_LOCKOUT_THRESHOLD + 1):
        attempt(api_client, user.email, f"guess {n}")
        clear_cache()
    assert attempt(api_client, user.email, password).status_code == 429


def test_lockout_holds_when_redis_is_down(api_client, user, password):
    with override_settings(CACHES=DEAD_REDIS):
        statuses = [attempt(api_client, user.email, f"guess {n}").status_code for n in range(10)]
        locked = attempt(api_client, user.email, password)
    assert 429 in statuses
    assert locked.status_code == 429


def test_login_is_throttled_per_ip_with_retry_after(api_client, user, rates):
    # given
    rates(login_ip="3/min")
    # when: the client rotates both the account and X-Forwarded-For
    statuses = [
        attempt(api_client, f"u{n}@example.com", "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    # then
    assert statuses == [401, 401, 401, 429]
    throttled = attempt(api_client, "other@example.com", "guess")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.json()["errors"]["retry_after"] >= 1


def test_login_is_throttled_per_account_across_ips(api_client, user, rates):
    rates(login_account="2/min")
    statuses = [
        attempt(api_client, user.email, "guess", REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(3)
    ]
    assert statuses == [401, 401, 429]


@pytest.mark.parametrize(
    ("url", "scope", "body"),
    [
        (
            "/api/v1/auth/register/",
            "register",
            {"email": "x@example.com", "password": "a long enough phrase"},
        ),
        ("/api/v1/auth/verify-email/resend/", "verify_resend", {"email": "x@example.com"}),
        ("/api/v1/auth/password/reset/", "password_reset", {"email": "x@example.com"}),
    ],
)
def test_anonymous_mail_endpoints_are_throttled(
    api_client, rates, url, scope, body, django_capture_on_commit_callbacks
):
    rates(**{scope: "2/hour"})
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [api_client.post(url, body, format="json").status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert statuses[0] in (202,)


def test_password_reset_is_throttled_per_target_email_across_ips(api_client, user, rates):
    rates(password_reset="2/hour")
    statuses = [
        api_client.post(
            "/api/v1/auth/password/reset/", {"email": user.email}, format="json", REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]


def FakeRequest(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_client_ip_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_ip(FakeRequest("192.0.2.1", "203.0.113.7")) == "192.0.2.1"


def test_client_ip_takes_the_entry_our_proxy_appended(settings):
    # given: nginx (one proxy) appends the address it saw; anything before it is client-controlled
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # then
    assert client_ip(FakeRequest("10.0.0.2", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(FakeRequest("10.0.0.2", "garbage")) is None


def test_session_records_the_ip_seen_through_the_trusted_proxy(api_client, user, password, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    response = attempt(api_client, user.email, password, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    from apps.authentication.models import UserSession

    assert UserSession.objects.get(id=response.json()["data"]["session_id"]).ip_address == "203.0.113.7"


def test_access_tokens_are_checked_against_the_database_when_redis_is_down(api_client, user, password):
    with override_settings(CACHES=DEAD_REDIS):
        from .fixtures import ME_URL, bearer, login

        live, doomed = login(api_client, user.email), login(api_client, user.email)
        bearer(live["access"]).delete(f"/api/v1/auth/sessions/{doomed['session_id']}/")
        assert bearer(live["access"]).get(ME_URL).status_code == 200
        assert bearer(doomed["access"]).get(ME_URL).status_code == 401
