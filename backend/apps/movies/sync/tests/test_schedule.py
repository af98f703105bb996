"""The Celery beat schedule is the documented crontab, entry for entry."""

import re

from django.conf import settings

DOC = settings.BASE_DIR / "docs" / "sync.md"
CRON_LINE = re.compile(r"^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+cd \S+ && \S+ manage\.py (.+)$")


def _documented() -> set[tuple]:
    block = DOC.read_text().split("```cron", 1)[1].split("```", 1)[0]
    entries = set()
    for line in block.splitlines():
        match = CRON_LINE.match(line.strip())
        if match:
            minute, hour, dom, month, dow, command = match.groups()
            entries.add(((minute, hour, dom, month, dow), *_task_for(command.split())))
    return entries


def _task_for(argv: list[str]) -> tuple[str, tuple]:
    name, args = argv[0], dict(zip(argv[1::2], argv[2::2], strict=False))
    if name == "sync_movies":
        kwargs = {
            "list_name": args["--list"],
            "pages": int(args.get("--pages", 1)),
            "window": args.get("--window", "day"),
        }
    elif name == "refresh_stale":
        kwargs = {"older_than_days": int(args["--older-than"].rstrip("d")), "limit": int(args["--limit"])}
    else:
        kwargs = {}
    return f"movies.{name}", tuple(sorted(kwargs.items()))


def _scheduled() -> set[tuple]:
    entries = set()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        cron = entry["schedule"]
        fields = tuple(
            str(value)
            for value in (
                cron._orig_minute,
                cron._orig_hour,
                cron._orig_day_of_month,
                cron._orig_month_of_year,
                cron._orig_day_of_week,
            )
        )
        kwargs = dict(entry.get("kwargs", {}))
        if entry["task"] == "movies.sync_movies":
            kwargs.setdefault("window", "day")
        entries.add((fields, entry["task"], tuple(sorted(kwargs.items()))))
    return entries


def test_beat_schedule_equals_the_documented_crontab():
    # given
    documented = _documented()

    # when
    scheduled = _scheduled()

    # then
    assert len(documented) == 9
    assert scheduled == documented


def test_every_scheduled_task_is_registered():
    from config.celery import app

    app.loader.import_default_modules()
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= set(app.tasks)


def test_every_documented_cron_line_parses_with_its_command():
    # given
    from django.core.management import load_command_class

    block = DOC.read_text().split("```cron", 1)[1].split("```", 1)[0]
    commands = [
        match.group(6).split() for line in block.splitlines() if (match := CRON_LINE.match(line.strip()))
    ]

    # when / then: argparse accepts each line exactly as an operator would paste it
    for name, *args in commands:
        parser = load_command_class("apps.movies", name).create_parser("manage.py", name)
        options = parser.parse_args(args)
        assert not options.dry_run
