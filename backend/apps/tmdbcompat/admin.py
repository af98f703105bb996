"""Staff admin of TMDb API keys: issue (the key is shown once), revoke, see usage."""

import logging

from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone

from .apikeys import ApiKeyService, forget
from .gate import gate
from .models import ApiKey

logger = logging.getLogger(__name__)

# Shown, never edited: the stored hash's prefix and the usage counts (the row's plus Redis's).
USAGE_FIELDS = ["prefix", "requests", "refusals", "last_used_at", "created_at", "revoked_at"]


def _pending(api_key: ApiKey) -> tuple[int, int]:
    """Counts still in Redis, not yet written to the row (TMDB_COMPAT_USAGE_BATCH)."""
    if not settings.USING_REDIS or not api_key.key_hash:
        return 0, 0
    try:
        return gate.pending([api_key.key_hash])[api_key.key_hash]
    except Exception as exc:  # noqa: BLE001 - the row's counts alone, rather than a failed page
        logger.warning("TMDb-compatible usage counts in Redis not read: %s", exc)
        return 0, 0


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_active", "rate_limit", *USAGE_FIELDS[:4]]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "owner__email"]
    autocomplete_fields = ["owner"]
    fields = ["name", "owner", "rate_limit", "is_active", *USAGE_FIELDS]
    readonly_fields = USAGE_FIELDS
    actions = ["revoke"]

    @admin.display(description="requests")
    def requests(self, obj: ApiKey) -> int:
        return obj.request_count + _pending(obj)[0]

    @admin.display(description="throttled")
    def refusals(self, obj: ApiKey) -> int:
        return obj.throttled_count + _pending(obj)[1]

    def save_model(self, request, obj, form, change):
        if change:
            if "is_active" in form.changed_data and not obj.is_active:
                obj.revoked_at = timezone.now()
            obj.save()
            forget(obj.key_hash, revoked=not obj.is_active)
            return
        created, raw = ApiKeyService.create(name=obj.name, owner=obj.owner, rate_limit=obj.rate_limit)
        obj.pk, obj.key_hash, obj.prefix = created.pk, created.key_hash, created.prefix
        messages.warning(
            request, f"The API key for “{obj.name}” is {raw} — copy it now: it is not shown again."
        )

    @admin.action(description="Revoke the selected keys (at once)")
    def revoke(self, request, queryset):
        count = ApiKeyService.revoke_all(queryset)
        self.message_user(request, f"{count} key(s) revoked.", messages.SUCCESS)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget(obj.key_hash, revoked=True)

    def delete_queryset(self, request, queryset):
        digests = list(queryset.values_list("key_hash", flat=True))
        super().delete_queryset(request, queryset)
        for digest in digests:
            forget(digest, revoked=True)
