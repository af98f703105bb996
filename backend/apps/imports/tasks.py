"""Celery task of imports: thin — an import id in, the runner's summary out."""

from celery import shared_task

from .runner import ImportRunner


# Idempotent (only a queued import is claimed), so a redelivery is harmless: ack late.
@shared_task(name="imports.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(import_id: int) -> dict:
    return ImportRunner(import_id=import_id).run()
