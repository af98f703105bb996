"""Security: per-user isolation, mass assignment, JWT tampering and reuse, brute force, the admin.

Per-user endpoints are discovered from the schema, so every favorites/watchlist/users/sessions
operation is checked as soon as it is documented.
"""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from apps.favorites.models import Favorite, WatchlistItem

from .conftest import PASSWORD, bearer
from .support import per_user
from .support.tokens import LOGIN_PATH, find_key

pytestmark = pytest.mark.django_db

MARKER = "alice-private-marker-7f3a"
PROBE = "/api/v1/movies/"  # JWT authentication runs on every endpoint, anonymous-friendly or not


def route_exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@pytest.fixture
def alice_data(alice, catalog):
    Favorite.objects.create(user=alice, movie=catalog[0], user_rating=9, notes=MARKER)
    WatchlistItem.objects.create(user=alice, movie=catalog[1], notes=MARKER)
    return alice


# --- discovery ------------------------------------------------------------------------------------
def test_every_promised_per_user_path_exists_once_its_area_has_landed():
    assert per_user.missing() == {}


# --- isolation ------------------------------------------------------------------------------------
def test_per_user_operations_refuse_anonymous_callers(client):
    # a loop, not a parametrisation: before the per-user areas land there is nothing to check yet
    for op in per_user.operations():
        response = client.generic(op.method, op.url(), b"{}", content_type="application/json")
        assert response.status_code == 401, (op.label, response.content[:200])
        assert response.json()["errors"]["code"] in {"not_authenticated", "authentication_failed"}


def test_collections_never_show_another_users_data(client, alice_data, alice_token, mallory_token):
    # given alice's private notes, when mallory reads every per-user collection
    collections = [op for op in per_user.operations() if op.method == "GET" and "{" not in op.path]
    seen_by_alice = ""
    for op in collections:
        mine = client.get(op.path, **bearer(mallory_token))
        # then nothing of alice's shows, while alice herself does see it
        assert mine.status_code < 500, (op.label, mine.content[:200])
        assert MARKER not in text_of(mine), op.label
        seen_by_alice += text_of(client.get(op.path, **bearer(alice_token)))
    if any(op.path.endswith(("favorites/", "watchlist/")) for op in collections):
        assert MARKER in seen_by_alice


def text_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def alice_ids(client, collection: str, token: str) -> list:
    body = client.get(collection, **bearer(token)).json()
    return [item["id"] for item in body.get("data") or [] if isinstance(item, dict) and "id" in item]


def test_another_users_objects_are_404(client, alice_data, alice_token, mallory_token):
    for op in per_user.detail_operations():
        assert_not_reachable_by_another_user(client, op, alice_token, mallory_token)


def assert_not_reachable_by_another_user(client, op, alice_token, mallory_token):
    # given the ids alice sees in her own collection
    collection = per_user.collection_of(op)
    before = client.get(collection, **bearer(alice_token)).json()["data"]
    ids = alice_ids(client, collection, alice_token)
    assert ids, f"alice has nothing in {collection}; seed it"
    # when mallory addresses each of them
    for object_id in ids:
        path = op.path[: op.path.index("{")] + f"{object_id}/"
        # (a body each collection accepts: the watchlist refuses a user_rating with a 400)
        body = b'{"notes": "pwned", "user_rating": 1}' if "favorites" in op.path else b'{"notes": "pwned"}'
        response = client.generic(op.method, path, body, "application/json", **bearer(mallory_token))
        # then it does not exist for her, and alice's data is untouched
        assert response.status_code == 404, (op.label, object_id, response.content[:200])
        assert response.json()["errors"]["code"] == "not_found"
    assert client.get(collection, **bearer(alice_token)).json()["data"] == before


# --- mass assignment ------------------------------------------------------------------------------
PRIVILEGED = {
    "is_staff": True,
    "is_superuser": True,
    "email_verified": True,
    "is_active": True,
    "id": 999_999,
    "pk": 999_999,
    "date_joined": "2000-01-01T00:00:00Z",
}


def test_mass_assignment_cannot_grant_privileges(client, alice, alice_token):
    alice.email_verified = False
    alice.save(update_fields=["email_verified"])
    for op in per_user.operations():
        if op.method in {"PATCH", "PUT", "POST"} and op.path.rstrip("/").endswith(
            ("users/me", "preferences")
        ):
            client.generic(op.method, op.path, PRIVILEGED, "application/json", **bearer(alice_token))
    alice.refresh_from_db()
    assert (alice.is_staff, alice.is_superuser, alice.email_verified, alice.pk) == (
        False,
        False,
        False,
        alice.pk,
    )


def test_mass_assignment_cannot_write_into_another_users_collection(client, catalog, alice_token, mallory):
    # given a body naming the target movie every plausible way, plus someone else's ownership
    body = {
        "tmdb_id": 550,
        "movie_id": 550,
        "movie": 550,
        "user": mallory.pk,
        "user_id": mallory.pk,
        "owner": mallory.pk,
    }
    # when alice adds it to each of her collections
    for op in per_user.operations():
        if op.method == "POST" and "{" not in op.path:
            response = client.post(op.path, body, content_type="application/json", **bearer(alice_token))
            assert response.status_code < 500, (op.label, response.content[:200])
    # then nothing lands in mallory's collections
    assert not Favorite.objects.filter(user=mallory).exists()
    assert not WatchlistItem.objects.filter(user=mallory).exists()


def test_registration_ignores_privileged_fields(client):
    path = "/api/v1/auth/register/"
    if not route_exists(path):
        assert "auth/register/" not in per_user.documented_paths()
        return
    body = {"email": "eve@hardening.test", "password": PASSWORD, "password_confirm": PASSWORD, **PRIVILEGED}
    client.post(path, body, content_type="application/json")
    from django.contrib.auth import get_user_model

    eve = get_user_model().objects.filter(email="eve@hardening.test").first()
    assert eve is None or (eve.is_staff, eve.is_superuser, eve.email_verified) == (False, False, False)


# --- JWT tampering --------------------------------------------------------------------------------
def signed(claims: dict, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or settings.SIMPLE_JWT["SIGNING_KEY"], algorithm=algorithm)


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def tampered_tokens(token: str, mallory_id: int) -> dict:
    claims = claims_of(token)
    header, _payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.api_jws.json.dumps({**claims, "user_id": mallory_id}).encode()
    ).decode()
    past = int((timezone.now() - timedelta(hours=1)).timestamp())
    return {
        "alg-none": jwt.encode(claims, key=None, algorithm="none"),
        "wrong-key": signed(claims, key="not-the-signing-key-but-long-enough-0123456789"),
        "edited-claims": f"{header}.{forged_payload}.{signature}",
        "wrong-audience": signed({**claims, "aud": "someone-else"}),
        "wrong-issuer": signed({**claims, "iss": "someone-else"}),
        "no-audience": signed({key: value for key, value in claims.items() if key != "aud"}),
        "expired": signed({**claims, "exp": past, "iat": past - 60}),
        "hs512": signed(claims, algorithm="HS512"),
        "truncated-signature": token[:-5],
    }


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # forged keys on purpose
@pytest.mark.parametrize(
    "kind",
    [
        "alg-none",
        "wrong-key",
        "edited-claims",
        "wrong-audience",
        "wrong-issuer",
        "no-audience",
        "expired",
        "hs512",
        "truncated-signature",
    ],
)
def test_tampered_jwt_is_401(client, catalog, alice_token, mallory, kind):
    # given a valid token works
    assert client.get(PROBE, **bearer(alice_token)).status_code == 200
    # when it is tampered with
    token = tampered_tokens(alice_token, mallory.pk)[kind]
    response = client.get(PROBE, **bearer(token))
    # then
    assert response.status_code == 401, (kind, response.content[:200])
    assert response.json()["success"] is False


def test_refresh_token_is_not_an_access_token(client, alice):
    from rest_framework_simplejwt.tokens import RefreshToken

    response = client.get(PROBE, **bearer(str(RefreshToken.for_user(alice))))
    assert response.status_code == 401


@pytest.mark.parametrize("fate", ["deactivated", "deleted"])
def test_token_of_a_gone_user_is_401(client, alice, alice_token, fate):
    if fate == "deleted":
        alice.delete()
    else:
        alice.is_active = False
        alice.save(update_fields=["is_active"])
    assert client.get(PROBE, **bearer(alice_token)).status_code == 401


def test_refresh_token_cannot_be_reused_after_logout(client, alice):
    if not all(map(route_exists, [LOGIN_PATH, "/api/v1/auth/logout/", "/api/v1/auth/token/refresh/"])):
        assert "auth/logout/" not in per_user.documented_paths()
        return
    login = client.post(LOGIN_PATH, {"email": alice.email, "password": PASSWORD}, "application/json").json()
    access, refresh = find_key(login, "access"), find_key(login, "refresh")
    client.post("/api/v1/auth/logout/", {"refresh": refresh}, "application/json", **bearer(access))
    reuse = client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, "application/json")
    assert reuse.status_code == 401


def test_password_guessing_is_throttled(client, alice):
    if not route_exists(LOGIN_PATH):
        assert "auth/login/" not in per_user.documented_paths()
        return
    statuses = []
    for attempt in range(60):
        response = client.post(
            LOGIN_PATH, {"email": alice.email, "password": f"wrong-{attempt}"}, "application/json"
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response["Retry-After"]) > 0
            break
    assert 429 in statuses, statuses
    assert 200 not in statuses


# --- the admin ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/admin/", "/admin/authentication/user/", "/admin/movies/movie/"])
def test_admin_refuses_non_staff(client, alice, alice_token, path):
    # a JWT is not an admin login
    assert client.get(path, **bearer(alice_token)).status_code == 302
    # nor is a session of a non-staff user
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_accepts_staff(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200
