"""Production settings refuse insecure values and pass `check --deploy` cleanly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k3J9vQ2xLr8ZpT6wNc4YbH1sFg7DmA5uEi0oRtWqXyUzVnMlKjHgFdSaPoIuYtRe",
    "JWT_SIGNING_KEY": "a-separate-jwt-signing-key-with-enough-entropy-42",
    "ALLOWED_HOSTS": "api.example.com",
}


def run_manage(*args: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in GOOD}
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"DEBUG": "true"}, "DEBUG"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-movie-nexus-local-only"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"JWT_SIGNING_KEY": None}, "JWT_SIGNING_KEY"),
    ],
)
def test_production_refuses_insecure_values(overrides, complaint):
    result = run_manage("check", **overrides)
    assert result.returncode != 0
    assert complaint in result.stderr
