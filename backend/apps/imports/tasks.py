"""Celery tasks of imports: thin — an import id in, the runner's summary out; the recovery sweep."""

from celery import shared_task

from . import recovery
from .runner import ImportRunner


# Idempotent (only a queued import is claimed), so a redelivery is harmless: ack late.
@shared_task(name="imports.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(import_id: int) -> dict:
    return ImportRunner(import_id=import_id).run()


@shared_task(name="imports.recover_stalled", ignore_result=True)
def recover_stalled() -> dict:
    """Beat, every IMPORT_RECOVERY_INTERVAL seconds: imports whose worker died resume (or fail)."""
    return recovery.recover_stalled()
