"""DB_STATEMENT_TIMEOUT_MS: PostgreSQL cancels a statement that runs longer (the web role sets it)."""

import json
import os

import pytest

from .fresh_process import run_python


def _options(**env: str) -> dict:
    result = run_python(
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))",
        drop=("DB_STATEMENT",),
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_statement_timeout_unless_asked():
    assert "options" not in _options(DATABASE_URL="postgres://app@db:5432/app")


def test_a_statement_timeout_is_passed_to_postgresql():
    options = _options(DATABASE_URL="postgres://app@db:5432/app", DB_STATEMENT_TIMEOUT_MS="1500")
    assert options["options"] == "-c statement_timeout=1500"


def test_it_keeps_options_given_in_the_database_url():
    options = _options(
        DATABASE_URL="postgres://app@db:5432/app?options=-c%20search_path%3Dpublic",
        DB_STATEMENT_TIMEOUT_MS="1500",
    )
    assert options["options"] == "-c search_path=public -c statement_timeout=1500"


PROBE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
    try:
        cursor.execute("SELECT pg_sleep(3)")
        print("finished")
    except Exception as error:
        print(type(error).__module__ + "." + type(error).__name__)
"""


@pytest.mark.services
def test_postgresql_cancels_a_statement_over_the_limit():
    # given the real PostgreSQL (its maintenance database) and a 300 ms limit
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    # when a statement runs longer
    result = run_python(PROBE, drop=("DB_STATEMENT",), DATABASE_URL=url, DB_STATEMENT_TIMEOUT_MS="300")
    # then PostgreSQL cancels it, and Django raises the OperationalError the API answers with a 503
    assert result.returncode == 0, result.stderr
    shown, outcome = result.stdout.split()
    assert shown == "300ms"
    assert outcome == "django.db.utils.OperationalError"
