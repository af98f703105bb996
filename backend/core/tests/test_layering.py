"""`core` is the foundation: none of its production modules imports an app (apps build on core)."""

import re
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]
APP_IMPORT = re.compile(r"^\s*(from|import)\s+apps\b", re.MULTILINE)


def test_core_imports_no_app():
    offenders = [
        path.relative_to(CORE).as_posix()
        for path in CORE.rglob("*.py")
        if "tests" not in path.relative_to(CORE).parts and APP_IMPORT.search(path.read_text())
    ]
    assert offenders == []


def test_the_check_sees_an_app_import():
    assert APP_IMPORT.search("def f():\n    from apps.movies.models import Movie\n")
