"""Staff admin for imports: status and counts, failed rows, and a retry action."""

from django.contrib import admin, messages
from django.db.models import Count, Q

from .models import Import, ImportRow, RowStatus
from .services import retry


class ImportRowInline(admin.TabularInline):
    model = ImportRow
    fields = ["position", "kind", "status", "reason", "matched_by", "movie"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = False

    def get_queryset(self, request):
        # Only what needs a look: failed and ambiguous rows.
        queryset = super().get_queryset(request).select_related("movie")
        return queryset.filter(status__in=[RowStatus.FAILED, RowStatus.REVIEW])


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "source",
        "status",
        "total_rows",
        "applied",
        "failed",
        "in_review",
        "created_at",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["user"]
    search_fields = ["user__email", "filename"]
    ordering = ["-created_at", "-id"]
    readonly_fields = [
        "user",
        "source",
        "status",
        "filename",
        "total_rows",
        "error",
        "attempts",
        "recoveries",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]
    inlines = [ImportRowInline]
    actions = ["retry_imports"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                applied_count=Count("rows", filter=Q(rows__status=RowStatus.APPLIED)),
                failed_count=Count("rows", filter=Q(rows__status=RowStatus.FAILED)),
                review_count=Count("rows", filter=Q(rows__status=RowStatus.REVIEW)),
            )
        )

    def has_add_permission(self, request):
        return False  # imports come from uploads

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was imported stays (a user's deletion cascades)

    @admin.display(ordering="applied_count")
    def applied(self, obj) -> int:
        return obj.applied_count

    @admin.display(ordering="failed_count")
    def failed(self, obj) -> int:
        return obj.failed_count

    @admin.display(ordering="review_count", description="In review")
    def in_review(self, obj) -> int:
        return obj.review_count

    @admin.action(description="Retry the failed rows of the selected imports", permissions=["change"])
    def retry_imports(self, request, queryset):
        done = [upload.pk for upload in queryset if retry(upload.pk)]
        skipped = queryset.count() - len(done)
        self.message_user(request, f"Queued again: {len(done)}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"Not retried (another import of that user is active): {skipped}.", messages.WARNING
            )
