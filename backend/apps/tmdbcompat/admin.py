"""Staff admin of TMDb API keys: issue (the key is shown once), revoke, see usage."""

from django.contrib import admin, messages
from django.utils import timezone

from .apikeys import ApiKeyService, forget
from .models import ApiKey

# Shown, never edited: the stored hash's prefix and the usage counts.
USAGE_FIELDS = ["prefix", "request_count", "throttled_count", "last_used_at", "created_at", "revoked_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_active", "rate_limit", *USAGE_FIELDS[:4]]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "owner__email"]
    autocomplete_fields = ["owner"]
    fields = ["name", "owner", "rate_limit", "is_active", *USAGE_FIELDS]
    readonly_fields = USAGE_FIELDS
    actions = ["revoke"]

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
