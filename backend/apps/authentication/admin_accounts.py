"""Staff admin for account records: sessions (revocable); verification tokens, lockouts, owed emails (read-only)."""

import ipaddress
import logging

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from core.adminsite.mixins import FastChangelistMixin, chunked

from .models import EmailOutbox, LoginLockout, UserSession, VerificationToken
from .services import LoginLockoutService, TokenService

logger = logging.getLogger(__name__)

SESSION_INLINE_LIMIT = 20
SESSION_COLUMNS = (
    "device",
    "user_agent",
    "ip_address",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
    "revoked_reason",
)


def manageable_owner(request: HttpRequest) -> Q:
    """Rows whose owning user this staff member may act on: a non-superuser never acts on staff."""
    if request.user.is_superuser:
        return Q()
    return Q(user__is_staff=False, user__is_superuser=False)


class ReadOnlyAdminMixin:
    """Nothing is added, edited or deleted here; the pages are for looking."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecentSessionsFormSet(BaseInlineFormSet):
    """The user's most recent sessions only (one query, however many the user has had)."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = list(super().get_queryset()[:SESSION_INLINE_LIMIT])
        return self._queryset


class UserSessionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = UserSession
    formset = RecentSessionsFormSet
    fields = SESSION_COLUMNS
    readonly_fields = SESSION_COLUMNS
    ordering = ["-last_used_at", "-created_at"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = f"Sessions (the {SESSION_INLINE_LIMIT} most recent)"


class SessionStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("revoked", "Revoked"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdminMixin, FastChangelistMixin, admin.ModelAdmin):
    """Read-only, except "revoke": through TokenService, so the cached session check ends at once."""

    list_display = [
        "user_email",
        "device",
        "short_user_agent",
        "ip_address",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    ]
    list_select_related = ["user"]
    search_fields = ["user__email"]  # and the IP when the search is one (get_search_fields)
    list_filter = [SessionStateFilter, "revoked_reason"]
    ordering = ["-last_used_at", "-created_at"]
    fields = ["id", "user", *SESSION_COLUMNS]
    readonly_fields = fields
    actions = ["revoke_sessions"]

    def get_search_fields(self, request):
        # Compare the IP column only with an IP: other text there is an error on PostgreSQL.
        term = request.GET.get(SEARCH_VAR, "").strip()
        return ["user__email", "=ip_address"] if _looks_like_ip(term) else ["user__email"]

    @admin.display(description="user", ordering="user__email")
    def user_email(self, obj: UserSession) -> str:
        return obj.user.email

    @admin.display(description="user agent")
    def short_user_agent(self, obj: UserSession) -> str:
        return obj.user_agent if len(obj.user_agent) <= 60 else f"{obj.user_agent[:59]}…"

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("authentication.change_usersession")

    @admin.action(
        description="Revoke selected sessions (their tokens stop working now)", permissions=["revoke"]
    )
    def revoke_sessions(self, request: HttpRequest, queryset) -> None:
        selected = queryset.count()
        ids = list(
            queryset.filter(manageable_owner(request), revoked_at__isnull=True).values_list("id", flat=True)
        )
        service, revoked = TokenService(), 0
        for chunk in chunked(ids):
            revoked += service.revoke(session_ids=chunk, reason=UserSession.RevokeReason.STAFF_REVOKED)
        logger.info("admin: %d session(s) revoked by %s", revoked, request.user.get_username())
        self.message_user(request, f"{revoked} session(s) revoked.", messages.SUCCESS)
        if selected - len(ids):
            self.message_user(
                request,
                f"{selected - len(ids)} session(s) left as they were (already revoked, or a staff "
                "account's, which only superusers may revoke).",
                messages.WARNING,
            )


def _looks_like_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class TokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("usable", "Usable"), ("used", "Used or replaced"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "usable":
            return queryset.filter(used_at__isnull=True, expires_at__gt=now)
        if self.value() == "used":
            return queryset.filter(used_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(used_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(VerificationToken)
class VerificationTokenAdmin(ReadOnlyAdminMixin, FastChangelistMixin, admin.ModelAdmin):
    """Fully read-only. Only a prefix of the SHA-256 is shown: enough to tell rows apart, useless
    for anything else (the raw token is never stored)."""

    list_display = ["user_email", "purpose", "hash_prefix", "created_at", "expires_at", "used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    list_filter = ["purpose", TokenStateFilter]
    ordering = ["-created_at", "-id"]
    fields = ["user", "purpose", "hash_prefix", "created_at", "expires_at", "used_at"]
    readonly_fields = fields

    @admin.display(description="user", ordering="user__email")
    def user_email(self, obj: VerificationToken) -> str:
        return obj.user.email

    @admin.display(description="hash prefix")
    def hash_prefix(self, obj: VerificationToken) -> str:
        return f"{obj.token_hash[:8]}…"


class LockedNowFilter(admin.SimpleListFilter):
    title = "locked now"
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        locked = Q(locked_until__gt=timezone.now())
        if self.value() == "yes":
            return queryset.filter(locked)
        if self.value() == "no":
            return queryset.exclude(locked)
        return queryset


@admin.register(LoginLockout)
class LoginLockoutAdmin(ReadOnlyAdminMixin, FastChangelistMixin, admin.ModelAdmin):
    """Failed sign-in counts per email; "clear" lets a locked-out user try again at once."""

    list_display = ["email", "attempts", "window_started_at", "locked_until", "is_locked", "updated_at"]
    search_fields = ["email"]
    list_filter = [LockedNowFilter]
    ordering = ["-updated_at", "-id"]
    fields = ["email", "attempts", "window_started_at", "locked_until", "updated_at"]
    readonly_fields = fields
    actions = ["clear_lockouts"]

    @admin.display(description="locked now", boolean=True)
    def is_locked(self, obj: LoginLockout) -> bool:
        return bool(obj.locked_until and obj.locked_until > timezone.now())

    def has_clear_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("authentication.change_loginlockout")

    @admin.action(
        description="Clear selected lockouts (the user may sign in again now)", permissions=["clear"]
    )
    def clear_lockouts(self, request: HttpRequest, queryset) -> None:
        emails = list(queryset.values_list("email", flat=True))
        service = LoginLockoutService()
        for email in emails:
            service.clear(email=email)
        logger.info("admin: %d lockout(s) cleared by %s", len(emails), request.user.get_username())
        self.message_user(request, f"{len(emails)} lockout(s) cleared.", messages.SUCCESS)


@admin.register(EmailOutbox)
class EmailOutboxAdmin(ReadOnlyAdminMixin, FastChangelistMixin, admin.ModelAdmin):
    """Account emails not sent yet: a broker outage or SMTP failures show here (the drain sends them)."""

    list_display = ["kind", "email", "created_at", "attempts", "next_attempt_at", "last_error"]
    search_fields = ["email"]
    list_filter = ["kind"]
    ordering = ["next_attempt_at", "id"]
    fields = list_display
    readonly_fields = fields
