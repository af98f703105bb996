"""Sync bookkeeping tables: the command locks and the persistent state of incremental syncs."""

from django.db import models


class SyncLock(models.Model):
    """One row per running job; a holder that dies leaves a row that expires (`expires_at`)."""

    name = models.CharField(max_length=200, unique=True)
    token = models.CharField(max_length=64)
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(default=0)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "movies"
        db_table = "movies_sync_lock"

    def __str__(self) -> str:
        return f"{self.name} held by pid {self.pid} on {self.host or '?'} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class SyncState(models.Model):
    """Where an incremental job got to (e.g. `sync_changes`: the last fully processed day)."""

    name = models.CharField(max_length=100, unique=True)
    last_completed_at = models.DateTimeField(null=True, blank=True)
    last_run_started_at = models.DateTimeField(null=True, blank=True)
    last_run_finished_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "movies"
        db_table = "movies_sync_state"

    def __str__(self) -> str:
        return f"{self.name}: {self.last_completed_at or 'never'}"
