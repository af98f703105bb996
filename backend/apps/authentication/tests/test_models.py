"""The custom user model: email login, case-insensitive and unique."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_email_is_the_login_and_is_normalised():
    user = User.objects.create_user(email="  Ada@Example.COM ", password="correct horse battery")
    assert user.email == "ada@example.com"
    assert authenticate(email="ADA@example.com", password="correct horse battery") == user


def test_email_is_unique_case_insensitively():
    User.objects.create_user(email="ada@example.com", password="x" * 12)
    with pytest.raises(ValidationError):
        User.objects.create_user(email="ADA@EXAMPLE.COM", password="x" * 12)


def test_database_enforces_case_insensitive_uniqueness():
    User.objects.create_user(email="ada@example.com", password="x" * 12)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Ada@Example.com")])


def test_superuser_flags():
    admin = User.objects.create_superuser(email="root@example.com", password="x" * 12)
    assert admin.is_staff and admin.is_superuser and admin.email_verified


def test_user_model_is_the_custom_one():
    assert User._meta.label == "authentication.User"
    assert User.USERNAME_FIELD == "email"
