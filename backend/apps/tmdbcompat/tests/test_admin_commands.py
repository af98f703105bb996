"""Staff issue and revoke keys: in the admin (the key shown once) and with `manage.py tmdb_api_keys`."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.tmdbcompat.managers import hash_key
from apps.tmdbcompat.models import ApiKey
from core.adminsite.testing import client_for, make_staff

pytestmark = pytest.mark.django_db
KEY = re.compile(r"\b[0-9a-f]{32}\b")


def run(*args: str) -> str:
    out = StringIO()
    call_command("tmdb_api_keys", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_once_and_stores_its_hash():
    # when
    printed = run("create", "kodi-addon", "--rate", "120").strip()
    # then the printed key is the stored hash's key, with its rate
    stored = ApiKey.objects.get(name="kodi-addon")
    assert KEY.fullmatch(printed)
    assert stored.key_hash == hash_key(printed)
    assert (stored.rate_limit, stored.is_active) == (120, True)


def test_revoke_deactivates_and_a_second_revoke_fails():
    run("create", "script")
    assert run("revoke", "script").strip() == "revoked script"
    assert ApiKey.objects.get(name="script").revoked_at is not None
    with pytest.raises(CommandError):
        run("revoke", "script")


def test_a_duplicate_name_or_a_negative_rate_is_an_error():
    run("create", "twice")
    with pytest.raises(CommandError):
        run("create", "twice")
    with pytest.raises(CommandError):
        run("create", "negative", "--rate", "-1")


def test_the_admin_issues_a_key_shown_once_then_never_again():
    # given a superuser
    client = client_for(make_staff(superuser=True))
    # when a key is added
    response = client.post(
        "/admin/tmdbcompat/apikey/add/",
        {"name": "jellyfin", "rate_limit": "60", "is_active": "on"},
        follow=True,
    )
    # then the page shows the key once, and the stored row holds only its hash
    shown = KEY.findall(response.content.decode())
    stored = ApiKey.objects.get(name="jellyfin")
    assert len(shown) == 1
    assert stored.key_hash == hash_key(shown[0])
    change = client.get(f"/admin/tmdbcompat/apikey/{stored.pk}/change/").content.decode()
    assert shown[0] not in change
    assert stored.prefix in change


def test_the_admin_revoke_action_takes_effect_at_once():
    run("create", "to-revoke")
    client = client_for(make_staff(superuser=True))
    key = ApiKey.objects.get(name="to-revoke")
    client.post("/admin/tmdbcompat/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.is_active is False
    assert key.revoked_at is not None
