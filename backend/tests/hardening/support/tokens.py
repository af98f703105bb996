"""The one place the hardening suites obtain a user's JWT access token."""

from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.urls import Resolver404, resolve

LOGIN_PATH = "/api/v1/auth/login/"


def login_route_exists() -> bool:
    try:
        resolve(LOGIN_PATH)
    except Resolver404:
        return False
    return True


def access_token_for(user, *, password: str) -> str:
    """Logs in through the API when `auth/login/` exists; until then mints one with simplejwt."""
    if login_route_exists():
        return _login(user.email, password)
    from rest_framework_simplejwt.tokens import RefreshToken

    return str(RefreshToken.for_user(user).access_token)


def _login(email: str, password: str) -> str:
    try:
        response = Client().post(
            LOGIN_PATH, {"email": email, "password": password}, content_type="application/json"
        )
    finally:
        # Django's test client reconnects close_old_connections to request_started when it is
        # done; the hardening suites keep it off (their autouse fixture reconnects it at teardown),
        # else the next in-process WSGI call closes the connection holding the test transaction.
        signals.request_started.disconnect(close_old_connections)
    assert response.status_code == 200, response.content[:500]
    token = find_key(response.json(), "access")
    assert isinstance(token, str), f"no access token in the login response: {response.content[:500]!r}"
    return token


def find_key(node, key: str):
    """First value stored under `key` anywhere in a JSON document (the login payload's shape may vary)."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = find_key(child, key)
        if found is not None:
            return found
    return None
