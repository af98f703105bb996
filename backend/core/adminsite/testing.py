"""Test helpers for admin pages: staff users with given permissions, and changelist query counts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

STAFF_PASSWORD = "staff-password-0123"  # noqa: S105 - test accounts only


def make_staff(email: str = "staff@example.com", *, perms: tuple[str, ...] = (), superuser: bool = False):
    """A staff user (or superuser) holding `perms` ("app_label.codename")."""
    user_model = get_user_model()
    if superuser:
        return user_model.objects.create_superuser(email, STAFF_PASSWORD)
    user = user_model.objects.create_user(email, STAFF_PASSWORD, is_staff=True, email_verified=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def changelist_queries(client: Client, url: str) -> tuple[int, int]:
    """(queries run, rows shown) for one changelist request."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured), len(response.context["cl"].result_list)
