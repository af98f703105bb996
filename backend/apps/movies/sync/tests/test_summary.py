"""The summary line, exit statuses, duration parsing and the TTY-only progress bar."""

import io
from datetime import timedelta

import pytest

from apps.movies.sync.command import parse_duration
from apps.movies.sync.progress import Progress
from apps.movies.sync.summary import Outcome, SyncSummary

from .conftest import SUMMARY


def test_summary_line_has_every_key_in_order():
    # given
    summary = SyncSummary(upstream_calls=7, rate_limited=2)
    summary.count(Outcome.CREATED)
    summary.count(Outcome.UNCHANGED)
    summary.count(Outcome.UNCHANGED)

    # when
    line = summary.finish().line()

    # then
    match = SUMMARY.match(line)
    assert match, line
    assert match["created"] == "1" and match["unchanged"] == "2" and match["upstream_calls"] == "7"
    assert match["rate_limited"] == "2" and match["failed"] == "0"


@pytest.mark.parametrize(
    ("failed", "could_not_run", "expected"),
    [(0, False, 0), (3, False, 1), (0, True, 2), (3, True, 2)],
)
def test_exit_code(failed, could_not_run, expected):
    # given
    summary = SyncSummary(failed=failed, could_not_run=could_not_run)

    # when / then
    assert summary.exit_code == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("3", timedelta(days=3)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


def test_parse_duration_refuses_garbage():
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("tty", "drawn"), [(True, True), (False, False)])
def test_progress_bar_is_drawn_only_on_a_terminal(tty, drawn):
    # given
    stream = FakeTerminal(tty)
    progress = Progress(stream)

    # when
    progress.start(2)
    progress.advance("one")
    progress.advance("two")
    progress.close()

    # then
    assert ("[" + "#" * 30 + "] 2/2" in stream.getvalue()) is drawn
    assert (stream.getvalue() == "") is not drawn
