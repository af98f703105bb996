"""Account fixtures shared by the authentication and users tests (imported by their conftest.py)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from rest_framework.test import APIClient

from .factories import DEFAULT_PASSWORD, UserFactory

LOGIN_URL = "/api/v1/auth/login/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
ME_URL = "/api/v1/users/me/"


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(email="ada@example.com")


@pytest.fixture
def other_user(db):
    return UserFactory(email="bob@example.com")


def login(client: APIClient, email: str, password: str = DEFAULT_PASSWORD, **extra) -> dict:
    response = client.post(LOGIN_URL, {"email": email, "password": password}, format="json", **extra)
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def tokens(api_client, user) -> dict:
    return login(api_client, user.email)


@pytest.fixture
def auth_client(tokens) -> APIClient:
    return bearer(tokens["access"])


def link_params(message) -> dict[str, str]:
    """The query parameters of the frontend link in an email's plain-text body."""
    url = re.search(r"https?://\S+", message.body).group(0)
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def last_email_to(address: str):
    matches = [message for message in mail.outbox if address in message.to]
    assert matches, f"no email to {address}"
    return matches[-1]
