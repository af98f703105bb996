"""Named, versioned cache-key builders and TTLs for TMDb responses (keys identical across processes)."""

from __future__ import annotations

import hashlib
import json
import re

PREFIX = "tmdb:v1"

# TTLs by volatility (seconds).
TTL_DETAILS = 24 * 60 * 60
TTL_LIST = 60 * 60
TTL_TRENDING = 15 * 60
TTL_SEARCH = 30 * 60
TTL_DISCOVER = 60 * 60
TTL_STATIC = 7 * 24 * 60 * 60  # genres and /configuration change a few times a year
TTL_CHANGES = 5 * 60
TTL_NEGATIVE = 60  # "not found" is cached briefly so a bad id does not hammer TMDb

_MAX_PLAIN_PARAMS = 120
# Printable ASCII except space: anything else (control characters, non-ASCII) is hashed.
_PLAIN_SAFE = re.compile(r"[!-~]*")


def _params_part(params: dict) -> str:
    """A stable rendering of the query parameters; long ones are hashed (never Python's hash())."""
    clean = {key: params[key] for key in sorted(params) if params[key] is not None and params[key] != ""}
    plain = "&".join(f"{key}={clean[key]}" for key in clean)
    if len(plain) <= _MAX_PLAIN_PARAMS and _PLAIN_SAFE.fullmatch(plain):
        return plain or "-"
    digest = hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()
    return f"h:{digest[:32]}"


def configuration_key() -> str:
    return f"{PREFIX}:configuration"


def genres_key(*, language: str) -> str:
    return f"{PREFIX}:genres:{language}"


def movie_details_key(*, tmdb_id: int, language: str, append: str) -> str:
    return f"{PREFIX}:movie:{tmdb_id}:{language}:{_params_part({'append': append})}"


def movie_list_key(*, kind: str, params: dict) -> str:
    """popular, top_rated, now_playing, upcoming, trending_day, trending_week."""
    return f"{PREFIX}:list:{kind}:{_params_part(params)}"


def search_key(*, params: dict) -> str:
    return f"{PREFIX}:search:{_params_part(params)}"


def discover_key(*, params: dict) -> str:
    return f"{PREFIX}:discover:{_params_part(params)}"


def related_key(*, tmdb_id: int, kind: str, params: dict) -> str:
    return f"{PREFIX}:related:{kind}:{tmdb_id}:{_params_part(params)}"


def changes_key(*, params: dict) -> str:
    return f"{PREFIX}:changes:{_params_part(params)}"


def upstream_cooldown_key() -> str:
    """Set while TMDb is known sick: calls fail fast instead of waiting out their budget again."""
    return f"{PREFIX}:cooldown"


def stored_page_key(*, kind: str, params: dict) -> str:
    """A TMDb list page already written to the catalog: its ids and totals (read back from the DB)."""
    return f"{PREFIX}:stored:{kind}:{_params_part(params)}"


def stored_page_ttl(kind: str) -> int:
    if kind.startswith("trending"):
        return TTL_TRENDING
    if kind == "search":
        return TTL_SEARCH
    return TTL_LIST


def genres_synced_key(*, language: str) -> str:
    return f"{PREFIX}:genres-synced:{language}"
