"""Staff admin for users: no escalation by non-superusers; groups are for superusers to shape."""

from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html

from apps.users.admin import ProfileInline
from core.adminsite.mixins import FastChangelistMixin

from .admin_accounts import UserSessionInline
from .models import User, UserSession
from .principal import forget
from .services import AuthService, TokenService

# Who a user is allowed to be: only superusers may grant or remove these.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
# Verification emails one click may send (each issues a token and queues a Celery task).
RESEND_VERIFICATION_LIMIT = 200


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(FastChangelistMixin, DjangoUserAdmin):
    """Non-superusers: privilege fields read-only, and staff/superuser accounts view-only."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["-date_joined", "-id"]
    list_display = [
        "email",
        "email_verified",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
        "last_login",
    ]
    search_fields = ["email"]
    list_filter = ["is_staff", "is_superuser", "is_active", "email_verified"]
    readonly_fields = ["last_login", "date_joined", "updated_at", "all_sessions"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Status", {"fields": ["is_active", "email_verified", "all_sessions"]}),
        ("Permissions", {"fields": list(PRIVILEGE_FIELDS)}),
        ("Dates", {"fields": ["last_login", "date_joined", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})
    ]
    inlines = [ProfileInline, UserSessionInline]
    actions = ["deactivate_users", "activate_users", "revoke_all_sessions", "resend_verification"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in PRIVILEGE_FIELDS if name not in fields]
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self._may_manage(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self._may_manage(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    @staticmethod
    def _may_manage(request, obj: User) -> bool:
        """A non-superuser manages ordinary users only, never a staff or superuser account
        (taking one over, e.g. by setting its password, would be an escalation)."""
        return request.user.is_superuser or not (obj.is_staff or obj.is_superuser)

    def _manageable(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        return queryset.filter(is_staff=False, is_superuser=False)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        targets = self._manageable(request, queryset).exclude(pk=request.user.pk)
        changing = list(targets.filter(is_active=not active).values_list("pk", flat=True))
        count = targets.filter(pk__in=changing).update(is_active=active)
        for user_id in changing:  # a bulk update sends no signal: their cached principals go here
            forget(user_id)
        skipped = queryset.count() - targets.count()
        verb = "activated" if active else "deactivated"
        self.message_user(request, f"{count} user(s) {verb}.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} user(s) left unchanged (yourself, or staff you may not manage).",
                "warning",
            )

    @admin.action(description="Deactivate selected users (they can no longer log in)", permissions=["change"])
    def deactivate_users(self, request, queryset) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description="Activate selected users", permissions=["change"])
    def activate_users(self, request, queryset) -> None:
        self._set_active(request, queryset, active=True)

    @admin.display(description="sessions")
    def all_sessions(self, obj: User) -> str:
        url = reverse("admin:authentication_usersession_changelist")
        return format_html('<a href="{}?user__id__exact={}">All sessions of this user</a>', url, obj.pk)

    @admin.action(
        description="Revoke all sessions of selected users (signs them out everywhere)",
        permissions=["change"],
    )
    def revoke_all_sessions(self, request, queryset) -> None:
        targets = list(self._manageable(request, queryset))
        service = TokenService()
        revoked = sum(
            service.revoke_all(user=user, reason=UserSession.RevokeReason.STAFF_REVOKED) for user in targets
        )
        self.message_user(
            request, f"{revoked} session(s) of {len(targets)} user(s) revoked.", messages.SUCCESS
        )
        self._report_skipped(request, queryset.count() - len(targets), "staff you may not manage")

    @admin.action(
        description="Resend the verification email to selected unverified users", permissions=["change"]
    )
    def resend_verification(self, request, queryset) -> None:
        targets = list(queryset.filter(is_active=True, email_verified=False).values_list("email", flat=True))
        if len(targets) > RESEND_VERIFICATION_LIMIT:
            self.message_user(
                request,
                f"{len(targets)} unverified users selected; send to at most {RESEND_VERIFICATION_LIMIT} at once.",
                messages.ERROR,
            )
            return
        service = AuthService()
        for email in targets:
            service.resend_verification(email=email)
        self.message_user(request, f"Verification email queued for {len(targets)} user(s).", messages.SUCCESS)
        self._report_skipped(request, queryset.count() - len(targets), "already verified, or inactive")

    def _report_skipped(self, request, skipped: int, why: str) -> None:
        if skipped:
            self.message_user(request, f"{skipped} user(s) skipped ({why}).", messages.WARNING)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """A group carries permissions, so shaping one is a superuser's job; staff may only look."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
