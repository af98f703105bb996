"""Model mixins: timestamps + soft delete, JSON metadata, and TMDb sync bookkeeping."""

from django.db import models


class BaseModelMixin(models.Model):
    """created_at / updated_at timestamps and `is_active` for soft deletes."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_active = models.BooleanField(default=True, db_index=True)

    class Meta:
        abstract = True


class MetadataMixin(models.Model):
    """Free-form JSON for data kept as delivered (credits, videos, keywords …)."""

    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PARTIAL = "partial", "Partial (from a list)"
    COMPLETE = "complete", "Complete (full details)"
    FAILED = "failed", "Failed"
    GONE = "gone", "Gone from TMDb"


class TMDbContentMixin(models.Model):
    """Fields shared by content mirrored from TMDb, with sync bookkeeping."""

    tmdb_id = models.PositiveIntegerField(unique=True)
    popularity = models.FloatField(default=0.0)
    vote_average = models.FloatField(default=0.0)
    vote_count = models.PositiveIntegerField(default=0)
    release_date = models.DateField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    sync_status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.PENDING, db_index=True
    )
    sync_retries = models.PositiveSmallIntegerField(default=0)
    last_sync_error = models.TextField(blank=True, default="")

    class Meta:
        abstract = True
