"""Per-user endpoints: what PRODUCT.md §4 promises, and what the schema documents today."""

from . import surface

# PRODUCT.md §4, per-user paths by owning area (relative to /api/v1/).
EXPECTED = {
    "favorites": [
        "favorites/",
        "favorites/{id}/",
        "favorites/stats/",
        "favorites/export/",
        "watchlist/",
        "watchlist/{id}/",
        "recommendations/for-you/",
    ],
    "accounts": [
        "users/me/",
        "users/me/preferences/",
        "auth/sessions/",
        "auth/sessions/{id}/",
    ],
}
PREFIXES = ("favorites/", "watchlist/", "recommendations/for-you/", "users/me", "auth/sessions/")
API = "/api/v1/"


def relative(path: str) -> str:
    return path.removeprefix(API)


def documented_paths() -> set[str]:
    return {relative(op.path) for op in surface.operations()}


def operations() -> list[surface.Operation]:
    """Every documented operation on a per-user path."""
    return [op for op in surface.operations() if relative(op.path).startswith(PREFIXES)]


def missing() -> dict[str, list[str]]:
    """Per area that has started to land (any path documented): the promised paths still absent."""
    documented = {_normalise(path) for path in documented_paths()}
    gaps = {}
    for area, paths in EXPECTED.items():
        present = [path for path in paths if _normalise(path) in documented]
        absent = [path for path in paths if _normalise(path) not in documented]
        if present and absent:
            gaps[area] = absent
    return gaps


def _normalise(path: str) -> str:
    """`favorites/{favorite_id}/` and `favorites/{id}/` are the same route."""
    parts = path.strip("/").split("/")
    return "/".join("{}" if part.startswith("{") else part for part in parts)


def detail_operations() -> list[surface.Operation]:
    return [op for op in operations() if "{" in op.path]


def collection_of(op: surface.Operation) -> str:
    """`/api/v1/favorites/{id}/` → `/api/v1/favorites/`."""
    return op.path[: op.path.index("{")]
