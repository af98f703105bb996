"""Admin pages for users: pages, actions, no privilege escalation by non-superusers, staff-only access."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from apps.authentication.models import User
from apps.users.models import Profile
from core.adminsite.testing import STAFF_PASSWORD, changelist_queries, client_for, make_staff

pytestmark = pytest.mark.django_db

USERS_URL = reverse("admin:authentication_user_changelist")
USER_PERMS = (
    "authentication.view_user",
    "authentication.add_user",
    "authentication.change_user",
    "authentication.delete_user",
)


def change_url(user: User) -> str:
    return reverse("admin:authentication_user_change", args=[user.pk])


def change_form_data(client, user: User, **overrides) -> dict:
    """The change form as the page renders it (initial values), with overrides."""
    form = client.get(change_url(user)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    for name in ("groups", "user_permissions"):
        if name in data:
            data[name] = [item.pk for item in data[name]]
    for prefix in ("profile", "sessions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not False}


# Access -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(USERS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_non_staff_users_cannot_log_in_or_reach_the_admin(client):
    # given
    user = User.objects.create_user("member@example.com", STAFF_PASSWORD)
    # when
    login = client.post(reverse("admin:login"), {"username": user.email, "password": STAFF_PASSWORD})
    client.force_login(user)
    index = client.get(reverse("admin:index"))
    # then
    assert login.status_code == 200
    assert "staff account" in login.content.decode()
    assert index.status_code == 302


def test_staff_log_in_through_the_login_form(client):
    # given
    staff = make_staff()
    # when
    response = client.post(
        reverse("admin:login"),
        {"username": staff.email.upper(), "password": STAFF_PASSWORD, "next": "/admin/"},
    )
    # then
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


# Pages --------------------------------------------------------------------------------------


def test_user_pages_for_a_superuser(admin_client):
    # given
    member = User.objects.create_user("member@example.com", STAFF_PASSWORD)
    Profile.objects.create(user=member, display_name="Member")
    # when
    changelist = admin_client.get(USERS_URL, {"q": "member@"})
    change = admin_client.get(change_url(member))
    add_page = admin_client.get(reverse("admin:authentication_user_add"))
    added = admin_client.post(
        reverse("admin:authentication_user_add"),
        {
            "email": "New@Example.com",
            "usable_password": "true",
            "password1": "a-Long-pass-1234",
            "password2": "a-Long-pass-1234",
        },
    )
    # then
    assert list(changelist.context["cl"].result_list) == [member]
    assert change.status_code == 200
    assert "Member" in change.content.decode()  # the profile inline
    assert add_page.status_code == 200
    assert added.status_code == 302
    assert User.objects.get(email="new@example.com").check_password("a-Long-pass-1234")


def test_user_changelist_runs_a_constant_number_of_queries(monkeypatch, django_assert_max_num_queries):
    # given
    for number in range(30):
        User.objects.create_user(f"user{number}@example.com", None)
    client = client_for(make_staff(perms=("authentication.view_user",)))
    counts = []
    # when
    for page_size in (5, 25):
        monkeypatch.setattr(type(admin.site._registry[User]), "list_per_page", page_size)
        with django_assert_max_num_queries(7):
            queries, rows = changelist_queries(client, USERS_URL)
        assert rows == page_size
        counts.append(queries)
    # then
    assert counts[0] == counts[1]


def test_password_change_page(admin_client):
    # given
    member = User.objects.create_user("member@example.com", STAFF_PASSWORD)
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    # when
    response = admin_client.post(
        url, {"usable_password": "true", "password1": "an-0ther-long-pass", "password2": "an-0ther-long-pass"}
    )
    # then
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("an-0ther-long-pass")


# Privileges ---------------------------------------------------------------------------------


def test_non_superusers_see_privilege_fields_read_only_and_cannot_promote(client):
    # given
    staff = make_staff(perms=USER_PERMS)
    member = User.objects.create_user("member@example.com", STAFF_PASSWORD)
    client.force_login(staff)
    data = change_form_data(client, member, is_staff="on", is_superuser="on", email_verified="on")
    # when
    form_fields = client.get(change_url(member)).context["adminform"].form.fields
    response = client.post(change_url(member), data)
    # then
    for field in ("is_staff", "is_superuser", "groups", "user_permissions"):
        assert field not in form_fields
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email_verified
    assert not member.is_staff
    assert not member.is_superuser


def test_superusers_can_promote(admin_client):
    # given
    member = User.objects.create_user("member@example.com", STAFF_PASSWORD)
    data = change_form_data(admin_client, member, is_staff="on")
    # when
    response = admin_client.post(change_url(member), data)
    # then
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_staff


def test_non_superusers_cannot_change_superusers_or_other_staff(client):
    # given
    staff = make_staff(perms=USER_PERMS)
    boss = User.objects.create_superuser("boss@example.com", STAFF_PASSWORD)
    colleague = make_staff("colleague@example.com")
    client.force_login(staff)
    # when / then: view-only pages, and no password, delete or save
    for target in (boss, colleague):
        page = client.get(change_url(target))
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        password_url = reverse("admin:auth_user_password_change", args=[target.pk])
        assert (
            client.post(
                password_url, {"password1": "x-Long-pass-99", "password2": "x-Long-pass-99"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("admin:authentication_user_delete", args=[target.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    boss.refresh_from_db()
    assert boss.check_password(STAFF_PASSWORD)


def test_user_add_form_cannot_create_staff(client):
    # given
    client.force_login(make_staff(perms=USER_PERMS))
    # when
    response = client.post(
        reverse("admin:authentication_user_add"),
        {
            "email": "sneaky@example.com",
            "usable_password": "true",
            "password1": "a-Long-pass-1234",
            "password2": "a-Long-pass-1234",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    # then
    assert response.status_code == 302
    created = User.objects.get(email="sneaky@example.com")
    assert not created.is_staff
    assert not created.is_superuser


def test_groups_are_shaped_by_superusers_only(client, admin_client):
    # given
    group = Group.objects.create(name="editors")
    staff = make_staff(perms=("auth.view_group", "auth.change_group", "auth.add_group", "auth.delete_group"))
    client.force_login(staff)
    permission = Permission.objects.get(codename="change_user")
    change = reverse("admin:auth_group_change", args=[group.pk])
    # when
    staff_post = client.post(change, {"name": "editors", "permissions": [permission.pk]})
    superuser_post = admin_client.post(change, {"name": "editors", "permissions": [permission.pk]})
    # then
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    assert staff_post.status_code == 403
    assert superuser_post.status_code == 302
    assert list(group.permissions.all()) == [permission]


# Actions ------------------------------------------------------------------------------------


def test_deactivate_and_activate_users_leave_staff_to_superusers(client):
    # given
    staff = make_staff(perms=USER_PERMS)
    member = User.objects.create_user("member@example.com", STAFF_PASSWORD)
    colleague = make_staff("colleague@example.com")
    client.force_login(staff)
    selection = [member.pk, colleague.pk, staff.pk]
    # when
    response = client.post(
        USERS_URL, {"action": "deactivate_users", "_selected_action": selection}, follow=True
    )
    # then
    shown = [str(message) for message in response.context["messages"]]
    assert "1 user(s) deactivated." in shown
    assert any("2 user(s) left unchanged" in text for text in shown)
    member.refresh_from_db()
    colleague.refresh_from_db()
    assert not member.is_active
    assert colleague.is_active
    # when
    client.post(USERS_URL, {"action": "activate_users", "_selected_action": [member.pk]})
    # then
    member.refresh_from_db()
    assert member.is_active
