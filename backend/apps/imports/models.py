"""An upload being imported, and its rows: parsed at upload, matched and applied by a Celery task."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportSource(models.TextChoices):
    LETTERBOXD = "letterboxd", "Letterboxd export (zip)"
    IMDB = "imdb", "IMDb ratings or watchlist (CSV)"
    TRAKT = "trakt", "Trakt export (JSON)"
    CSV = "csv", "Generic CSV"
    MOVIENEXUS = "movienexus", "Movie Nexus JSON export"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    MATCHING = "matching", "Matching"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


ACTIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.MATCHING)


class RowKind(models.TextChoices):
    VIEWING = "viewing", "Viewing"
    WATCHLIST = "watchlist", "Watchlist"
    FAVORITE = "favorite", "Favorite"


class RowStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPLIED = "applied", "Applied"  # written (created or updated)
    UNCHANGED = "unchanged", "Unchanged"  # already there, or a newer local edit was kept
    REVIEW = "review", "Needs review"  # ambiguous match: the user picks a candidate or skips
    SKIPPED = "skipped", "Skipped"  # skipped in review
    FAILED = "failed", "Failed"


class Import(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    source = models.CharField(max_length=16, choices=ImportSource.choices)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    filename = models.CharField(max_length=255, blank=True, default="")
    total_rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)  # runs claimed; the running one's token
    # Touched when queued and by the running task every IMPORT_HEARTBEAT_SECONDS: an active import
    # silent for IMPORT_STALE_SECONDS lost its worker (apps.imports.recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    recoveries = models.PositiveSmallIntegerField(default=0)  # times requeued after its worker died
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "imports_import"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Per-user concurrency: one import queued or running at a time, enforced by the database.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["queued", "matching"]),
                name="import_one_active_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="import_user_created_idx"),
            # The recovery sweep reads only active imports by their last heartbeat.
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status__in=["queued", "matching"]),
                name="import_active_heartbeat_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} import #{self.pk} ({self.status})"


class ImportRow(models.Model):
    """One entry of the upload, as parsed (`data`), and what became of it."""

    upload = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=RowKind.choices)
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=RowStatus.choices, default=RowStatus.PENDING)
    reason = models.CharField(max_length=255, blank=True, default="")
    candidates = models.JSONField(default=list, blank=True)
    movie = models.ForeignKey("movies.Movie", null=True, blank=True, on_delete=models.SET_NULL)
    matched_by = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        db_table = "imports_row"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "position"], name="import_row_position_unique")
        ]
        indexes = [models.Index(fields=["upload", "status"], name="import_row_status_idx")]

    def __str__(self) -> str:
        return f"#{self.upload_id}:{self.position} {self.kind} {self.status}"
