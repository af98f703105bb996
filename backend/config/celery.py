"""The Celery application, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("movie_nexus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def schedule_account_jobs(sender, **kwargs):
    """Beat also drains the account-email outbox and recovers imports whose worker died, besides the
    catalog schedule that settings.CELERY_BEAT_SCHEDULE holds (docs/sync.md mirrors that one entry
    for entry)."""
    from django.conf import settings

    every = settings.EMAIL_OUTBOX_DRAIN_SECONDS
    drain = {"task": "authentication.drain_email_outbox", "schedule": every, "options": {"expires": every}}
    every = settings.IMPORT_RECOVERY_INTERVAL
    recover = {"task": "imports.recover_stalled", "schedule": every, "options": {"expires": every}}
    sender.conf.beat_schedule = {
        **sender.conf.beat_schedule,
        "drain-email-outbox": drain,
        "recover-stalled-imports": recover,
    }
