"""Named, versioned cache-key builders: identical in every process (hashlib, never `hash()`).

Every key starts with KEY_VERSION; changing how a value is shaped means bumping it, which
orphans the old keys (they expire by TTL). Django adds CACHE_KEY_PREFIX in front of all of them.
"""

import hashlib
from collections.abc import Iterable, Mapping

KEY_VERSION = "v1"

# Namespaces: families of keys invalidated together by `bump_namespace`.
NS_CATALOG = "catalog"  # everything rendered from the catalog (genre renames, bulk syncs)
NS_CATALOG_LISTS = "catalog:lists"  # every list of movies (a movie change bumps it)


def movie_namespace(tmdb_id: int) -> str:
    """One movie's family: its detail responses in every language (bumped by a resync)."""
    return f"catalog:movie:{int(tmdb_id)}"


def user_namespace(user_id: int, name: str) -> str:
    """One user's family of `name` (e.g. "favorites"): their lists and stats."""
    return f"user:{int(user_id)}:{name}"


def digest(*parts: object) -> str:
    """A short stable digest of the parts (128-bit BLAKE2b, hex)."""
    joined = "\x1f".join(str(part) for part in parts)
    return hashlib.blake2b(joined.encode(), digest_size=16).hexdigest()


def namespace(name: str) -> str:
    """Where a namespace's version counter lives."""
    return f"{KEY_VERSION}:ns:{name}"


def lock(key: str) -> str:
    """The single-flight lock guarding the recomputation of `key`."""
    return f"{KEY_VERSION}:lock:{key}"


def normalize_query(items: Iterable[tuple[str, str]], defaults: Mapping[str, str] | None = None) -> str:
    """A canonical query string: sorted, blanks and default values dropped, repeated keys kept."""
    defaults = defaults or {}
    kept = sorted((key, value) for key, value in items if value != "" and defaults.get(key) != value)
    return "&".join(f"{key}={value}" for key, value in kept)


def view_response(
    *,
    host: str,
    path: str,
    query: str,
    language: str,
    include_adult: bool,
    versions: Iterable[int],
) -> str:
    """The rendered bytes of an anonymous response (level "view").

    The host is in the key because rendered pagination links are absolute URLs.
    """
    version_part = ".".join(str(version) for version in versions)
    adult = "a1" if include_adult else "a0"
    return f"{KEY_VERSION}:view:{version_part}:{digest(host, path, query, language, adult)}"


def tmdb_response(endpoint: str, params: Mapping[str, object] | None = None) -> str:
    """A TMDb response (level "service"): the endpoint template plus its canonical parameters."""
    canonical = "&".join(f"{key}={params[key]}" for key in sorted(params or {}))
    return f"{KEY_VERSION}:tmdb:{endpoint.strip('/')}:{digest(canonical)}"


def user_query(user_id: int, name: str, version: int, *parts: object) -> str:
    """A per-user aggregate (level "query"), e.g. favorites stats, under the user's namespace version."""
    suffix = f":{digest(*parts)}" if parts else ""
    return f"{KEY_VERSION}:query:{name}:u{int(user_id)}:n{version}{suffix}"
