"""One email normalisation for every way in: look-alikes share the account, its lockout and its throttles."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model

from apps.authentication.addresses import normalize_email
from apps.authentication.models import EmailOutbox, LoginLockout

from .factories import UserFactory
from .fixtures import LOGIN_URL

pytestmark = pytest.mark.django_db
User = get_user_model()
CANONICAL = "ada@crisis-sites.com"
# The long s (U+017F) and the Kelvin sign (U+212A): PostgreSQL's UPPER() maps them to S and K,
# so `email__iexact` matched them to the canonical account while the lockout key did not.
LOOK_ALIKES = ["ada@crisi\u017f-sites.com", "ADA@CRISIS-SITES.COM", " ada@cri\u017fis-sites.com "]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (" Ada@Example.COM ", "ada@example.com"),
        ("ada@crisi\u017f-sites.com", CANONICAL),  # long s
        ("\u212aate@example.com", "kate@example.com"),  # Kelvin sign
        ("\uff41da@example.com", "ada@example.com"),  # fullwidth a
        ("stra\u00dfe@example.com", "strasse@example.com"),  # sharp s case-folds to ss
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_email_folds_case_and_compatibility_forms(raw, normalised):
    assert normalize_email(raw) == normalised


def test_normalize_email_is_idempotent():
    for raw in [*LOOK_ALIKES, "\u01f0@example.com", "Stra\u00dfe@Example.com"]:
        once = normalize_email(raw)
        assert normalize_email(once) == once


def _login(client, email: str, password: str, **extra):
    return client.post(LOGIN_URL, {"email": email, "password": password}, format="json", **extra)


@pytest.mark.parametrize("variant", LOOK_ALIKES)
def test_a_look_alike_cannot_sidestep_the_lockout(api_client, password, variant):
    # given the canonical account, locked by wrong passwords
    UserFactory(email=CANONICAL)
    for number in range(settings.LOGIN_LOCKOUT_THRESHOLD):
        _login(api_client, CANONICAL, f"guess {number}")
    # when the right password comes through a look-alike of the address
    response = _login(api_client, variant, password)
    # then it meets the same lockout
    assert response.status_code == 429
    assert LoginLockout.objects.count() == 1


@pytest.mark.parametrize("variant", LOOK_ALIKES)
def test_look_alikes_count_towards_one_lockout(api_client, password, variant):
    # given wrong passwords spread over the look-alikes
    UserFactory(email=CANONICAL)
    for number in range(settings.LOGIN_LOCKOUT_THRESHOLD):
        _login(api_client, variant if number % 2 else CANONICAL, f"guess {number}")
    # when / then
    assert _login(api_client, CANONICAL, password).status_code == 429


def test_a_look_alike_signs_in_to_the_one_account_when_not_locked(api_client, password):
    UserFactory(email=CANONICAL)
    assert _login(api_client, LOOK_ALIKES[0], password).status_code == 200


def test_the_per_address_reset_throttle_is_one_bucket_for_look_alikes(api_client, settings):
    # given
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_reset": "2/hour"},
    }
    UserFactory(email=CANONICAL)
    # when one address is asked for from many IPs, under different spellings
    statuses = [
        api_client.post(
            "/api/v1/auth/password/reset/", {"email": email}, format="json", REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n, email in enumerate([CANONICAL, *LOOK_ALIKES])
    ]
    # then
    assert statuses == [202, 202, 429, 429]
    assert set(EmailOutbox.objects.values_list("email", flat=True)) == {CANONICAL}


def test_registering_a_look_alike_does_not_make_a_second_account(
    api_client, django_capture_on_commit_callbacks
):
    # given
    UserFactory(email=CANONICAL)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"email": LOOK_ALIKES[0], "password": "tangerine submarine orchestra"},
            format="json",
        )
    # then
    assert response.status_code == 202
    assert response.json()["data"]["email"] == CANONICAL
    assert list(User.objects.values_list("email", flat=True)) == [CANONICAL]


def test_the_migration_normalises_stored_emails_and_leaves_clashes_alone():
    # given addresses stored in the old form (lowercased only), written around the model
    kept = UserFactory(email="bob@example.com")
    folded = UserFactory(email="x@example.com")
    clash = UserFactory(email="y@example.com")
    User.objects.filter(pk=folded.pk).update(email="stra\u00dfe@example.com")
    User.objects.filter(pk=clash.pk).update(email="b\uff4fb@example.com")  # folds to kept's address
    migration = importlib.import_module("apps.authentication.migrations.0005_normalize_emails")
    # when
    migration.normalize_stored_emails(django_apps, None)
    # then
    emails = dict(User.objects.values_list("pk", "email"))
    assert emails[folded.pk] == "strasse@example.com"
    assert emails[kept.pk] == "bob@example.com"
    assert emails[clash.pk] == "b\uff4fb@example.com"
