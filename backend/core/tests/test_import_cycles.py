"""The import cycles the catalog issue named stay broken: each edge of each former cycle is gone."""

import ast
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]


def _imports(relative: str) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count)."""
    path = BACKEND / relative
    package = relative.removesuffix(".py").replace("/", ".").rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("importer", "forbidden"),
    [
        # authentication.authentication ↔ services.tokens
        ("apps/authentication/services/tokens.py", "apps.authentication.authentication"),
        # authentication.services.auth → users.services → authentication.services
        ("apps/authentication/services/auth.py", "apps.users"),
        # movies.managers → favorites.models → favorites.managers → movies.models
        ("apps/movies/managers.py", "apps.favorites"),
        ("apps/movies/managers.py", "apps.movies.models"),
    ],
)
def test_a_former_cycle_edge_is_gone(importer, forbidden):
    assert not {name for name in _imports(importer) if name == forbidden or name.startswith(forbidden + ".")}


def test_the_check_sees_a_lazy_relative_import():
    assert "apps.authentication.services.tokens" in _imports("apps/authentication/authentication.py")
