"""The one module of cache keys: named, versioned builders, identical in every process (never `hash()`).

Every key starts with KEY_VERSION; changing how a value is shaped means bumping it, which
orphans the old keys (they expire by TTL). Django adds CACHE_KEY_PREFIX in front of all of them.
"""

import hashlib
import json
import re
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
    region: str,
    include_adult: bool,
    versions: Iterable[int],
) -> str:
    """The rendered bytes of a catalog response for one audience (level "view"), without personal
    flags: anonymous readers and signed-in readers of the same audience share it.

    The host is in the key because rendered pagination links are absolute URLs.
    """
    version_part = ".".join(str(version) for version in versions)
    adult = "a1" if include_adult else "a0"
    # "view2": entries carry the personal-flag slots (CachedResponse.slots).
    return f"{KEY_VERSION}:view2:{version_part}:{digest(host, path, query, language, region, adult)}"


def user_query(user_id: int, name: str, version: int, *parts: object) -> str:
    """A per-user aggregate (level "query"), e.g. favorites stats, under the user's namespace version."""
    suffix = f":{digest(*parts)}" if parts else ""
    return f"{KEY_VERSION}:query:{name}:u{int(user_id)}:n{version}{suffix}"


def user_stats(user_id: int, version: int) -> str:
    """One user's favorites/watchlist statistics (level "query"), under their namespace version."""
    return user_query(user_id, "favorites-stats", version)


def user_for_you(user_id: int, version: int, *, include_adult: bool) -> str:
    """One user's "for you" recommendations with their reasons (level "query")."""
    # "for-you-2": the value became (movie pk, reason) pairs; the old name's values are orphaned.
    return user_query(user_id, "for-you-2", version, f"a{int(include_adult)}")


def user_history_stats(user_id: int, version: int) -> str:
    """One user's watched-history statistics (level "query"), under the same namespace version."""
    return user_query(user_id, "history-stats", version)


def user_data_namespace(user_id: int) -> str:
    """Everything cached about one user: bumped on every write to their favorites, watchlist or
    watched history, and on every change to their account (active, staff, sessions, preferences)."""
    return user_namespace(user_id, "favorites")


def user_account_namespace(user_id: int) -> str:
    """What authentication caches about one user (their principal): bumped by changes to the
    account, its sessions or preferences, not by their favorites or history."""
    return user_namespace(user_id, "account")


def user_flags(user_id: int, version: int) -> str:
    """One user's favorite, watchlist and watched movie ids (level "query"), merged into catalog pages."""
    return user_query(user_id, "flags", version)


def user_entries_page(user_id: int, version: int, *, list_name: str, query: str) -> str:
    """One rendered page of a user's favorites or watchlist (level "query")."""
    return user_query(user_id, f"{list_name}-page", version, query)


def user_principal(user_id: int) -> str:
    """What authentication needs of one user, with the data-namespace version it was read at."""
    return f"auth:v3:principal:{int(user_id)}"


def admin_choices(field: str) -> str:
    """The admin changelist's filter choices for one column (level "query")."""
    return f"{KEY_VERSION}:admin:movies:choices:{field}"


def admin_genre_counts() -> str:
    return f"{KEY_VERSION}:admin:movies:genre-counts"


# --- TMDb responses (level "service") and what the catalog made of them ------------------------
TMDB_PREFIX = "tmdb:v1"
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
    return f"{TMDB_PREFIX}:configuration"


def genres_key(*, language: str) -> str:
    return f"{TMDB_PREFIX}:genres:{language}"


def movie_details_key(*, tmdb_id: int, language: str, append: str) -> str:
    return f"{TMDB_PREFIX}:movie:{tmdb_id}:{language}:{_params_part({'append': append})}"


def movie_list_key(*, kind: str, params: dict) -> str:
    """popular, top_rated, now_playing, upcoming, trending_day, trending_week."""
    return f"{TMDB_PREFIX}:list:{kind}:{_params_part(params)}"


def search_key(*, params: dict) -> str:
    return f"{TMDB_PREFIX}:search:{_params_part(params)}"


def discover_key(*, params: dict) -> str:
    return f"{TMDB_PREFIX}:discover:{_params_part(params)}"


def related_key(*, tmdb_id: int, kind: str, params: dict) -> str:
    return f"{TMDB_PREFIX}:related:{kind}:{tmdb_id}:{_params_part(params)}"


def changes_key(*, params: dict) -> str:
    return f"{TMDB_PREFIX}:changes:{_params_part(params)}"


def upstream_cooldown_key() -> str:
    """Set while TMDb is known sick: calls fail fast instead of waiting out their budget again."""
    return f"{TMDB_PREFIX}:cooldown"


def stored_page_key(*, kind: str, params: dict) -> str:
    """A TMDb list page already written to the catalog: its ids and totals (read back from the DB)."""
    return f"{TMDB_PREFIX}:stored:{kind}:{_params_part(params)}"


def genres_synced_key(*, language: str) -> str:
    return f"{TMDB_PREFIX}:genres-synced:{language}"


def upstream_budget(client: str, window: int) -> str:
    """How many interactive TMDb calls one client (user or address) made in one minute window."""
    return f"{TMDB_PREFIX}:budget:{digest(client)}:{window}"


def find_key(*, external_id: str, params: dict) -> str:
    """TMDb's /find/{external_id} (movies by IMDb id)."""
    return f"{TMDB_PREFIX}:find:{_params_part({'external_id': external_id, **params})}"


# --- the TMDb-compatible API (apps.tmdbcompat) --------------------------------------------------
def tmdb_compat_response(*, path: str, query: str, versions: Iterable[int]) -> str:
    """A rendered TMDb-format answer (level "view"). The API key is never part of `query`, so every
    key shares one copy of the bytes."""
    version_part = ".".join(str(version) for version in versions)
    return f"{KEY_VERSION}:tmdb3:{version_part}:{digest(path, query)}"


def tmdb_compat_rate(*, key_hash: str, window: int) -> str:
    """One API key's request count in one rate-limit window (by the key's hash)."""
    return f"{KEY_VERSION}:tmdb3:rate:{key_hash}:{int(window)}"


def tmdb_compat_usage(*, key_hash: str, counter: str) -> str:
    """One API key's requests (or refusals) counted but not yet added to its row."""
    return f"{KEY_VERSION}:tmdb3:usage:{key_hash}:{counter}"


def tmdb_compat_key(*, key_hash: str) -> str:
    """An API key's lookup by the SHA-256 of the key (never the key itself)."""
    return f"{KEY_VERSION}:tmdb3:key:{key_hash}"


def broadcast_channel(name: str) -> str:
    """The pub/sub channel of one broadcast (core.cache.broadcast), e.g. revoked API keys."""
    return f"{KEY_VERSION}:broadcast:{name}"


def broadcast_ack(name: str, token: str) -> str:
    """How many processes have handled one announcement."""
    return f"{KEY_VERSION}:broadcast:{name}:ack:{token}"


# --- accounts ---------------------------------------------------------------------------------
def session_state(sid: str) -> str:
    """One session's cached state: (owner id while live else 0, the owner's session epoch)."""
    return f"auth:v2:session:{sid}"


# DRF's throttles fill this %-format themselves (v2: an integer counter; v1 held DRF's history).
THROTTLE_FORMAT = "throttle:v2:%(scope)s:%(ident)s"


def admin_login_ip(ip: str) -> str:
    """The admin login's per-address attempt budget (the address hashed)."""
    return f"admin-login:v2:ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"
