"""Liveness and readiness probes: the process answers; the database, cache and broker answer; workers counted."""

import logging
import time
import uuid

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from kombu import Connection
from rest_framework import serializers
from rest_framework.views import APIView

from .exceptions import ServiceUnavailable
from .exposure import exposure_warnings
from .responses import APIResponse

logger = logging.getLogger(__name__)
_logged_warnings: set[str] = set()  # a probe polls every few seconds: log each warning once


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def check_cache() -> str:
    key, token = "health:ready", uuid.uuid4().hex
    cache.set(key, token, timeout=10)
    if cache.get(key) != token:
        raise ConnectionError("cache did not return what was written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def tasks_run_inline() -> bool:
    return settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("memory://")


def check_broker() -> str:
    if tasks_run_inline():
        return "eager"
    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        return conn.transport.driver_type


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def count_workers() -> dict:
    """Live Celery workers consuming this project's queue; informative only, never a readiness failure
    (the web role is ready without them, but emails and background resyncs wait for one)."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "eager", "count": None, "queue": queue}
    started = time.perf_counter()
    try:
        replies = current_app.control.inspect(timeout=settings.HEALTH_WORKERS_TIMEOUT).active_queues() or {}
    except Exception as exc:  # noqa: BLE001 - the broker check reports the broker itself
        result = {"status": "unknown", "count": None, "queue": queue, "error": exc.__class__.__name__}
    else:
        count = sum(any(item.get("name") == queue for item in queues or ()) for queues in replies.values())
        result = {"status": "ok" if count else "none", "count": count, "queue": queue}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            backend = check()
            results[name] = {"status": "ok", "backend": backend}
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            results[name] = {"status": "unavailable", "error": exc.__class__.__name__}
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return results


_CheckSerializer = inline_serializer(
    "HealthCheck",
    {
        "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "backend": serializers.CharField(required=False),
        "error": serializers.CharField(required=False),
        "latency_ms": serializers.FloatField(),
    },
)


_WorkersSerializer = inline_serializer(
    "HealthWorkers",
    {
        "status": serializers.ChoiceField(
            choices=["ok", "none", "eager", "unknown"],
            help_text="ok: workers consume the queue; none: no worker (tasks wait); eager: tasks run "
            "in-process; unknown: the broker did not answer.",
        ),
        "count": serializers.IntegerField(allow_null=True, min_value=0),
        "queue": serializers.CharField(),
        "error": serializers.CharField(required=False),
        "latency_ms": serializers.FloatField(required=False),
    },
)
NO_WORKER = "ready; no Celery worker consumes {queue}: emails and background resyncs wait (make worker)"


class _ProbeView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []


class LivenessView(_ProbeView):
    @extend_schema(
        tags=["ops"],
        summary="Liveness: the process answers",
        responses=inline_serializer("Liveness", {"status": serializers.CharField()}),
    )
    def get(self, request):
        response = APIResponse({"status": "ok"}, message="alive")
        response["Cache-Control"] = "no-store"
        return response


class ReadinessView(_ProbeView):
    @extend_schema(
        tags=["ops"],
        summary="Readiness: database, cache and broker answer (503 names the failing one)",
        description="`workers` counts live Celery workers on the project's queue; none is not a failure.",
        responses=inline_serializer(
            "Readiness",
            {
                "status": serializers.CharField(),
                "checks": serializers.DictField(child=_CheckSerializer),
                "workers": _WorkersSerializer,
                "warnings": serializers.ListField(
                    child=serializers.CharField(), help_text="Deployment mistakes that do not stop serving."
                ),
            },
        ),
    )
    def get(self, request):
        checks = run_checks()
        failed = [name for name, result in checks.items() if result["status"] != "ok"]
        if failed:
            raise ServiceUnavailable(
                f"Not ready: {', '.join(failed)} unavailable.",
                retry_after=5,
                extra={"failed": failed, "checks": checks},
            )
        warnings = exposure_warnings()
        for warning in set(warnings) - _logged_warnings:
            logger.warning("Readiness: %s", warning)
            _logged_warnings.add(warning)
        workers = count_workers()
        message = NO_WORKER.format(queue=workers["queue"]) if workers["status"] == "none" else "ready"
        data = {"status": "ok", "checks": checks, "workers": workers, "warnings": warnings}
        response = APIResponse(data, message=message)
        response["Cache-Control"] = "no-store"
        return response
