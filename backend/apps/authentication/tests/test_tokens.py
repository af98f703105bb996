"""Sign-in and JWT validation: claims, audience, issuer, type, algorithm, expiry, tampering."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from apps.authentication.models import UserSession

from .factories import UserFactory
from .fixtures import LOGIN_URL, ME_URL, bearer, login

pytestmark = pytest.mark.django_db


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def forge(claims: dict, *, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or settings.SIMPLE_JWT["SIGNING_KEY"], algorithm=algorithm)


def assert_refused(access: str) -> None:
    response = bearer(access).get(ME_URL)
    assert response.status_code == 401
    assert response.json()["errors"]["code"] == "token_not_valid"
    assert "ErrorDetail" not in response.json()["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_login_returns_a_token_pair_bound_to_a_new_session(api_client, user, password):
    # when
    data = login(
        api_client,
        "ADA@example.com",
        password,
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
    )
    # then
    assert data["token_type"] == "Bearer"
    assert data["user"] == {"id": user.id, "email": user.email, "email_verified": True}
    access, refresh = claims_of(data["access"]), claims_of(data["refresh"])
    assert access["token_type"] == "access" and refresh["token_type"] == "refresh"
    assert access["aud"] == refresh["aud"] == settings.SIMPLE_JWT["AUDIENCE"]
    assert access["iss"] == settings.SIMPLE_JWT["ISSUER"]
    assert access["sid"] == refresh["sid"] == data["session_id"]
    assert access["exp"] - access["iat"] == 10 * 60
    assert refresh["exp"] - refresh["iat"] == 14 * 24 * 3600
    session = UserSession.objects.get(id=data["session_id"])
    assert session.user == user and session.refresh_jti == refresh["jti"]
    assert session.ip_address == "127.0.0.1"
    assert session.device == "Firefox on Linux"


def test_login_response_is_not_cacheable(api_client, user, password):
    response = api_client.post(LOGIN_URL, {"email": user.email, "password": password}, format="json")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_signing_key_is_not_the_secret_key():
    assert settings.SIMPLE_JWT["SIGNING_KEY"] != settings.SECRET_KEY


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_wrong_credentials_get_one_answer(api_client, user, email):
    response = api_client.post(LOGIN_URL, {"email": email, "password": "not the password"}, format="json")
    assert response.status_code == 401
    assert response.json()["errors"]["code"] == "invalid_credentials"
    assert response.json()["message"] == "Email or password is incorrect."


def test_inactive_user_cannot_sign_in(api_client, password):
    UserFactory(email="gone@example.com", is_active=False)
    response = api_client.post(LOGIN_URL, {"email": "gone@example.com", "password": password}, format="json")
    assert response.status_code == 401


def test_unverified_user_can_sign_in(api_client, password):
    UserFactory(email="fresh@example.com", email_verified=False)
    data = login(api_client, "fresh@example.com", password)
    assert data["user"]["email_verified"] is False
    assert bearer(data["access"]).get(ME_URL).status_code == 200


def test_a_stale_authorization_header_does_not_block_login(api_client, user, password):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    response = api_client.post(LOGIN_URL, {"email": user.email, "password": password}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("body", [{}, {"email": "ada@example.com"}, {"email": "x", "password": "y"}, []])
def test_bad_login_input_is_400(api_client, body):
    assert api_client.post(LOGIN_URL, body, format="json").status_code == 400


def test_access_token_authenticates(tokens):
    response = bearer(tokens["access"]).get(ME_URL)
    assert response.status_code == 200
    assert response.json()["data"]["email"] == "ada@example.com"


def test_token_signed_with_another_key_is_refused(tokens):
    claims = claims_of(tokens["access"])
    assert_refused(forge(claims, key="some-other-key-that-is-long-enough-123"))


@pytest.mark.parametrize(
    ("claim", "value"),
    [("user_id", 999999), ("sid", "00000000-0000-0000-0000-000000000000"), ("exp", 4102444800)],
)
def test_edited_claims_break_the_signature(tokens, claim, value):
    # given: the payload is edited but the original signature kept
    header, payload, signature = tokens["access"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims[claim] = value
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    # then
    assert_refused(f"{header}.{edited}.{signature}")


def test_refresh_token_is_not_an_access_token(tokens):
    assert_refused(tokens["refresh"])


def test_access_token_cannot_refresh(api_client, tokens):
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["access"]}, format="json")
    assert response.status_code == 401
    assert response.json()["errors"]["code"] == "token_not_valid"


def test_expired_access_token_is_refused(tokens):
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert_refused(tokens["access"])
    assert bearer(tokens["access"]).get(ME_URL).status_code == 200  # back in time it still works


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("aud", "another-service"),
        ("iss", "someone-else"),
        ("aud", None),
        ("iss", None),
        ("token_type", "refresh"),
    ],
)
def test_wrong_audience_issuer_or_type_is_refused_even_when_signed(tokens, claim, value):
    claims = claims_of(tokens["access"])
    if value is None:
        claims.pop(claim)
    else:
        claims[claim] = value
    assert_refused(forge(claims))


def test_properly_forged_token_without_a_session_is_refused(tokens):
    claims = claims_of(tokens["access"])
    claims.pop("sid")
    assert_refused(forge(claims))


def test_alg_none_is_refused(tokens):
    claims = claims_of(tokens["access"])
    assert_refused(jwt.encode(claims, None, algorithm="none"))


@pytest.mark.parametrize("algorithm", ["HS512", "HS384"])
def test_foreign_algorithms_are_refused_even_with_the_right_key(tokens, algorithm):
    assert_refused(forge(claims_of(tokens["access"]), algorithm=algorithm))


@pytest.mark.parametrize("header", ["Bearer", "Bearer a.b.c", "Token abc", "Bearer " + "x" * 5000])
def test_malformed_authorization_headers_are_401_not_500(header):
    client = bearer("")
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME_URL)
    assert response.status_code == 401
    body = response.json()
    assert body["errors"]["code"] in ("token_not_valid", "not_authenticated")
    assert "ErrorDetail" not in body["message"] and "{" not in body["message"]


def test_access_token_of_a_deleted_user_is_refused(tokens, user):
    user.delete()
    assert_refused(tokens["access"])


def test_access_token_of_a_deactivated_user_is_refused(tokens, user):
    user.is_active = False
    user.save()
    assert_refused(tokens["access"])
