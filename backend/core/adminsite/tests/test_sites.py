"""The admin site: staff only, and login attempts throttled per IP + email and per IP."""

import pytest
from django.urls import reverse

from core.adminsite import throttling
from core.adminsite.testing import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")


@pytest.fixture
def limits(settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP = 5
    settings.ADMIN_LOGIN_LOCKOUT_SECONDS = 600
    return settings


WRONG_PASSWORD = "wrong-password"


def attempt(client, email: str, password: str = WRONG_PASSWORD, ip: str = "203.0.113.7"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_the_site_is_movie_nexus_own(client):
    from django.contrib import admin

    from core.adminsite.sites import MovieNexusAdminSite

    assert isinstance(admin.site, MovieNexusAdminSite)
    assert "Movie Nexus administration" in client.get(LOGIN_URL).content.decode()


def test_after_n_failures_even_the_right_password_gets_429(client, limits):
    # given
    staff = make_staff()
    for _ in range(3):
        assert attempt(client, staff.email).status_code == 200
    # when
    response = attempt(client, staff.email, STAFF_PASSWORD)
    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # not logged in


def test_a_locked_out_attempt_costs_no_database_query(client, limits, django_assert_num_queries):
    # given
    staff = make_staff()
    for _ in range(3):
        attempt(client, staff.email)
    # when / then
    with django_assert_num_queries(0):
        assert attempt(client, staff.email, STAFF_PASSWORD).status_code == 429


def test_the_lockout_is_per_ip_and_email(client, limits):
    # given
    staff = make_staff()
    for _ in range(3):
        attempt(client, staff.email)
    # when
    other_ip = attempt(client, staff.email, STAFF_PASSWORD, ip="198.51.100.1")
    # then
    assert other_ip.status_code == 302


def test_one_ip_spraying_many_emails_is_locked_out_too(client, limits):
    # given
    staff = make_staff()
    for number in range(5):
        attempt(client, f"guess{number}@example.com")
    # when
    response = attempt(client, staff.email, STAFF_PASSWORD)
    # then
    assert response.status_code == 429


def test_a_successful_login_clears_that_emails_failures(client, limits):
    # given
    staff = make_staff()
    for _ in range(2):
        attempt(client, staff.email)
    assert attempt(client, staff.email, STAFF_PASSWORD).status_code == 302
    client.logout()
    # when: two more failures stay under the limit of 3 again
    for _ in range(2):
        attempt(client, staff.email)
    response = attempt(client, staff.email, STAFF_PASSWORD)
    # then
    assert response.status_code == 302


def test_failures_count_case_insensitively(client, limits):
    # given
    staff = make_staff()
    for email in ("STAFF@example.com", "staff@EXAMPLE.com", " staff@example.com "):
        attempt(client, email)
    # when
    response = attempt(client, staff.email, STAFF_PASSWORD)
    # then
    assert response.status_code == 429


def test_the_login_page_itself_is_never_throttled(client, limits):
    # given
    staff = make_staff()
    for _ in range(3):
        attempt(client, staff.email)
    # when / then
    assert client.get(LOGIN_URL, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_the_failure_counter_expires_with_the_lockout_window(limits, monkeypatch):
    # given
    stored = {}
    monkeypatch.setattr(throttling.cache, "set", lambda key, value, *, ttl, level: stored.update({key: ttl}))
    monkeypatch.setattr(throttling.cache, "get", lambda key, *, level: None)
    # when
    throttling.record_failure(throttling.LoginAttempt(ip="203.0.113.7", email="a@example.com"))
    # then
    assert set(stored.values()) == {600}
    assert len(stored) == 2


@pytest.mark.django_db
def test_the_index_has_one_accounts_section_and_no_look_alike(admin_client):
    # when
    sections = [app["name"] for app in admin_client.get("/admin/").context["app_list"]]
    # then
    assert "Accounts and sign-in" in sections
    assert "Permissions" in sections
    assert not any(name.startswith("Authentication") for name in sections)
