"""The admin site: staff only; logins under the API's per-account lockout and a per-IP budget."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.adminsite import throttling
from core.adminsite.testing import STAFF_PASSWORD, make_staff
from core.cache import counters

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
API_LOGIN = "/api/v1/auth/login/"


@pytest.fixture
def limits(settings):
    settings.LOGIN_LOCKOUT_THRESHOLD = 3  # the per-account lockout the API uses too
    settings.LOGIN_LOCKOUT_SECONDS = 600
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


def test_an_ip_over_its_budget_costs_no_database_query(client, limits, django_assert_num_queries):
    # given
    staff = make_staff()
    for number in range(5):
        attempt(client, f"guess{number}@example.com")
    # when / then
    with django_assert_num_queries(0):
        assert attempt(client, staff.email, STAFF_PASSWORD).status_code == 429


def test_the_account_lockout_holds_from_every_ip(client, limits):
    # given
    staff = make_staff()
    for _ in range(3):
        attempt(client, staff.email)
    # when
    other_ip = attempt(client, staff.email, STAFF_PASSWORD, ip="198.51.100.1")
    # then
    assert other_ip.status_code == 429


def test_an_account_the_api_locked_is_locked_in_the_admin(client, api_client, limits):
    # given three wrong passwords through the API
    staff = make_staff()
    for _ in range(3):
        api_client.post(API_LOGIN, {"email": staff.email, "password": WRONG_PASSWORD}, format="json")
    # when the right password comes through the admin
    response = attempt(client, staff.email, STAFF_PASSWORD)
    # then
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_account_the_admin_locked_is_locked_in_the_api(client, api_client, limits):
    # given three wrong passwords through the admin
    staff = make_staff()
    for _ in range(3):
        attempt(client, staff.email)
    # when the right password comes through the API
    response = api_client.post(API_LOGIN, {"email": staff.email, "password": STAFF_PASSWORD}, format="json")
    # then
    assert response.status_code == 429


def test_one_ip_spraying_many_emails_is_locked_out_too(client, limits):
    # given
    staff = make_staff()
    for number in range(5):
        attempt(client, f"guess{number}@example.com")
    # when
    response = attempt(client, staff.email, STAFF_PASSWORD)
    # then
    assert response.status_code == 429


def test_a_successful_login_clears_that_accounts_attempts(client, limits):
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


@pytest.mark.parametrize("variant", ["STAFF@example.com", " staff@EXAMPLE.com ", "\u017ftaff@example.com"])
def test_case_and_look_alike_variants_count_against_the_same_account(client, limits, variant):
    # given (the long s, U+017F, folds to "s")
    staff = make_staff()
    for _ in range(3):
        attempt(client, variant)
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


@pytest.mark.services
def test_the_ip_budget_lasts_the_lockout_window(client, limits):
    # given / when
    attempt(client, "someone@example.com")
    # then: one Redis counter per IP, expiring with the window opened by the first attempt
    ip_key = throttling.LoginAttempt(ip="203.0.113.7", email="").ip_key
    assert counters.count(ip_key) == 1
    assert 590 <= counters.seconds_left(ip_key) <= 600


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_parallel_tries_cannot_beat_the_ip_budget(limits):
    # given 20 wrong-password tries at once from one IP, each for a different email
    def one_try(number: int) -> int:
        try:
            return attempt(Client(), f"guess{number}@example.com").status_code
        finally:
            connection.close()

    # when
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(one_try, range(20)))
    # then exactly the budget reached the password check
    assert statuses.count(200) == 5
    assert statuses.count(429) == 15


@pytest.mark.django_db
def test_the_index_has_one_accounts_section_and_no_look_alike(admin_client):
    # when
    sections = [app["name"] for app in admin_client.get("/admin/").context["app_list"]]
    # then
    assert "Accounts and sign-in" in sections
    assert "Permissions" in sections
    assert not any(name.startswith("Authentication") for name in sections)
