"""Fixtures for the hardening suites: users, JWTs, a small catalog, and the URLconf/schema views."""

import pytest
from django.contrib.auth import get_user_model

from apps.movies.tests.factories import GenreFactory, MovieFactory

from .support.tokens import access_token_for

PASSWORD = "Hardening-Pass-2026!"  # a test constant (allow-listed by the secrets scanner)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """In-process WSGI calls (schemathesis, the memory test) fire request_started/finished, whose
    close_old_connections() would close the connection holding the test transaction (PostgreSQL).
    Django's own test client disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def make_user(email: str, *, verified: bool = True, staff: bool = False):
    user = get_user_model().objects.create_user(email=email, password=PASSWORD)
    user.email_verified = verified
    user.is_staff = staff
    user.save(update_fields=["email_verified", "is_staff"])
    return user


@pytest.fixture
def alice(db):
    return make_user("alice@hardening.test")


@pytest.fixture
def mallory(db):
    return make_user("mallory@hardening.test")


@pytest.fixture
def staff_user(db):
    return make_user("staff@hardening.test", staff=True)


@pytest.fixture
def alice_token(alice) -> str:
    return access_token_for(alice, password=PASSWORD)


@pytest.fixture
def mallory_token(mallory) -> str:
    return access_token_for(mallory, password=PASSWORD)


@pytest.fixture
def catalog(db) -> list:
    """A handful of movies with small TMDb ids, so generated path parameters sometimes hit one."""
    genre = GenreFactory(tmdb_id=1, name="Drama", slug="drama")
    return [MovieFactory(tmdb_id=tmdb_id, genres=[genre]) for tmdb_id in (1, 2, 3, 550)]


@pytest.fixture
def upstream(tmdb_double):
    """The local TMDb double with a few movies (ids matching the local catalog and some only upstream)."""
    for tmdb_id in (1, 2, 3, 550, 551, 552):
        tmdb_double.add_movie(tmdb_id, title=f"Upstream {tmdb_id}")
    tmdb_double.relate(550, recommendations=[551], similar=[552])
    return tmdb_double


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
