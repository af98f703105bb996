"""Liveness and readiness probes: the process answers; the database, cache and broker answer."""

import logging
import time
import uuid

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


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("memory://"):
        return "eager"
    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        return conn.transport.driver_type


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


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
        responses=inline_serializer(
            "Readiness",
            {
                "status": serializers.CharField(),
                "checks": serializers.DictField(child=_CheckSerializer),
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
        response = APIResponse({"status": "ok", "checks": checks, "warnings": warnings}, message="ready")
        response["Cache-Control"] = "no-store"
        return response
