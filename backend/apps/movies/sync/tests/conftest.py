"""Fixtures of the sync tests: run a command and capture its exit status, output and summary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command

SUMMARY = re.compile(
    r"^created=(?P<created>\d+) updated=(?P<updated>\d+) unchanged=(?P<unchanged>\d+) "
    r"failed=(?P<failed>\d+) upstream_calls=(?P<upstream_calls>\d+) "
    r"rate_limited=(?P<rate_limited>\d+) seconds=(?P<seconds>\d+\.\d)$"
)


@dataclass
class CommandResult:
    code: int
    out: str
    err: str

    @property
    def summary(self) -> dict[str, int]:
        """The closing summary line, parsed (it must be the last line of stdout)."""
        last = self.out.rstrip("\n").splitlines()[-1]
        match = SUMMARY.match(last)
        assert match, f"last line is not a summary: {last!r}"
        return {key: int(float(value)) for key, value in match.groupdict().items() if key != "seconds"}


@pytest.fixture(autouse=True)
def _single_writer(settings):
    """Tests run inside one transaction, which other threads' connections cannot see: one writer.
    (test_parallel_writes covers the PostgreSQL writer threads with committed data.)"""
    settings.SYNC_PARALLEL_WRITES = False


@pytest.fixture
def run_command(db):
    def run(name: str, *args: str) -> CommandResult:
        out, err = StringIO(), StringIO()
        try:
            call_command(name, *args, stdout=out, stderr=err)
            code = 0
        except SystemExit as exc:
            code = exc.code
        return CommandResult(code=code, out=out.getvalue(), err=err.getvalue())

    return run


@pytest.fixture
def tmdb(tmdb_double, settings):
    """The TMDb double with movies 1..5 (1 most popular), movie 1 related to 2 and 3."""
    settings.SYNC_CONCURRENCY = 2
    for tmdb_id in range(1, 6):
        tmdb_double.add_movie(
            tmdb_id, title=f"Movie {tmdb_id}", popularity=float(50 - tmdb_id), genre_ids=[18, 28]
        )
    tmdb_double.relate(1, recommendations=[2, 3], similar=[3])
    return tmdb_double
