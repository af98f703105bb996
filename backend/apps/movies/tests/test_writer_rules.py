"""Checkable rules of the write side: one writer of the catalog tables, no test code in production."""

from __future__ import annotations

import ast
import re
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[3]
CATALOG_MODELS = {"Movie", "Genre", "MovieGenre", "MovieRecommendation"}
WRITES = {"create", "bulk_create", "bulk_update", "update", "update_or_create", "get_or_create", "delete"}
# The writer itself; the demo loader and the admin scale fixture fill an empty database with
# synthetic rows (no reader has cached anything yet); migrations.
ALLOWED = {
    "apps/movies/services/writer.py",
    "apps/movies/demo.py",
    "apps/movies/management/commands/admin_scale_check.py",
}


def _production_modules():
    for path in sorted(BACKEND.rglob("*.py")):
        relative = path.relative_to(BACKEND).as_posix()
        parts = relative.split("/")
        if (
            "tests" in parts
            or "migrations" in parts
            or parts[0] in ("testing", "tests")
            or relative == "conftest.py"
        ):
            continue
        yield relative, path.read_text()


def _catalog_writes(source: str) -> list[str]:
    """`Model.objects….write(…)` calls on catalog models, and `.save()`/`.delete()` on instances
    named like them (best effort: what a reviewer would flag)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITES:
            continue
        chain = ast.unparse(node.func.value)
        root = re.match(r"^(\w+)\.objects\b", chain)
        if root and root.group(1) in CATALOG_MODELS:
            found.append(f"{chain}.{node.func.attr}")
    return found


def test_only_the_catalog_writer_writes_catalog_tables():
    offenders = {
        relative: writes
        for relative, source in _production_modules()
        if relative not in ALLOWED and (writes := _catalog_writes(source))
    }
    assert offenders == {}, "catalog rows are written only through apps.movies.services.writer"


def test_the_rule_sees_a_write_when_there_is_one():
    # given a module that writes a catalog table behind the writer's back
    source = "from apps.movies.models import Movie\nMovie.objects.filter(pk=1).update(title='x')\n"
    # then the check flags it
    assert _catalog_writes(source) == ["Movie.objects.filter(pk=1).update"]


def test_production_packages_import_no_test_code():
    pattern = re.compile(r"^\s*(from|import)\s+(testing\b|[\w.]*\.tests\b|conftest\b)", re.MULTILINE)
    offenders = [relative for relative, source in _production_modules() if pattern.search(source)]
    assert offenders == []
