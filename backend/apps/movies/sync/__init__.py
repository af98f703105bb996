"""The sync package: jobs run by the sync_* commands and the Celery tasks, with their lock and summary."""
