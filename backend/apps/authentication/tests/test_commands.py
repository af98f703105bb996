"""createsuperuser works non-interactively for operators' scripts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.users.services import UserService

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_reads_email_and_password_from_the_environment(monkeypatch):
    # given
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Root@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "operator chosen passphrase")
    # when
    call_command("createsuperuser", "--noinput", verbosity=0)
    # then
    admin = get_user_model().objects.get(email="root@example.com")
    assert admin.is_superuser and admin.is_staff and admin.email_verified
    assert admin.check_password("operator chosen passphrase")
    assert UserService().get_profile(admin).user == admin  # created lazily on first use
