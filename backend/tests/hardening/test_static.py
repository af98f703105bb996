"""Static security gates: `check --deploy` on production settings, bandit, no secrets in history."""

import json
import subprocess
import sys

import pytest

from core.tests.test_production_settings import run_manage

from .support import secrets_scan

ROOT = secrets_scan.ROOT


def test_check_deploy_is_clean_with_every_service_configured():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DATABASE_URL="postgres://app@db.internal:5432/movie_nexus",
        REDIS_URL="redis://cache.internal:6379/0",
        CELERY_BROKER_URL="amqp://app@broker.internal:5672//",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def bandit(*args: str) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "backend", "-f", "json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return json.loads(result.stdout)["results"]


def describe(results: list[dict]) -> str:
    return "\n".join(f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in results)


@pytest.fixture(scope="module")
def bandit_results() -> list[dict]:
    return bandit("-x", "*/tests/*,*/migrations/*,.venv")


def test_bandit_finds_nothing_high(bandit_results):
    high = [r for r in bandit_results if r["issue_severity"] == "HIGH"]
    assert high == [], describe(high)


def test_every_http_call_has_a_timeout():
    # B113 over everything, tests included: a call without a timeout can hang a worker forever
    results = bandit("-t", "B113", "-x", ".venv")
    assert results == [], describe(results)


def test_no_secrets_in_the_repository_history():
    findings = secrets_scan.scan_history()
    assert findings == [], "\n".join(map(str, findings))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ('+AWS_KEY = "' + "AKIA" + "Q3EXAMPLE7KEY9ZZ" + '"', "aws-access-key"),
        ("+-----BEGIN " + "RSA PRIVATE KEY-----", "private-key"),
        ('+TMDB_API_KEY = "' + "9f8c2b7e41d05a6f3e8b1c9d2a7f4e60" + '"', "high-entropy-assignment"),
        ("+DATABASE_URL=postgres://app:" + "S3cr3tPw0rd" + "@db:5432/x", "url-credentials"),
    ],
)
def test_scanner_finds_planted_secrets(line, kind):
    patch = f"commit {'0' * 40}\n+++ b/backend/config/settings/base.py\n{line}\n"
    assert [finding.kind for finding in secrets_scan.scan_patch(patch)] == [kind]


def test_scanner_allows_test_constants_and_placeholders():
    patch = (
        f"commit {'0' * 40}\n+++ b/backend/config/settings/test.py\n"
        '+SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"\n'
        "+++ b/.env.example\n+# CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672//\n"
    )
    assert secrets_scan.scan_patch(patch) == []
