"""Personal flags on shared cached pages: one rendering per audience, the reader's flags spliced in.

A catalog page (a list of movies, or one movie) is rendered once per audience (language, region,
adult preference) with every personal flag at its anonymous value:

    "is_favorite":false   "in_watchlist":false   "watched":null

`find_slots` records where each of those sits in the rendered bytes, item by item, when the page
is cached. A signed-in reader's request takes the same cached bytes and `merge` replaces the
markers of the movies that reader has flagged: the work per request is one lookup per item in the
reader's sets and one splice per flag set, never a re-serialization of the page.

Who the reader is, and what they flagged, is the accounts' business: an app registers a
`ReaderResolver` with `register_reader_resolver` (core imports no app).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# Marker name -> the anonymous rendering of that flag (DRF's compact JSON).
MARKERS: dict[str, bytes] = {
    "is_favorite": b'"is_favorite":false',
    "in_watchlist": b'"in_watchlist":false',
    "watched": b'"watched":null',
}


@dataclass(frozen=True, slots=True)
class Slots:
    """Where the flag markers of each movie of a rendered page start (aligned with `ids`)."""

    ids: tuple[int, ...]
    positions: tuple[tuple[str, tuple[int, ...]], ...]  # (marker name, one offset per movie)


def page_movie_ids(data: Any) -> tuple[int, ...] | None:
    """The TMDb ids of the movies a success envelope holds (its `data`: a list of items, or one)."""
    payload = data.get("data") if isinstance(data, Mapping) else None
    items = payload if isinstance(payload, list) else [payload] if isinstance(payload, Mapping) else None
    if items is None:
        return None
    ids = tuple(item.get("id") for item in items if isinstance(item, Mapping))
    if len(ids) != len(items) or not all(type(movie_id) is int for movie_id in ids):
        return None
    return ids


def find_slots(body: bytes, ids: Sequence[int]) -> Slots | None:
    """The markers of a rendered page, per movie in order; None when they cannot be told apart.

    A marker appears once per movie or not at all (`fields=` left it out). JSON escapes the quotes
    inside strings, so a marker's bytes only ever occur as the field itself.
    """
    positions = []
    for name, marker in MARKERS.items():
        found = _occurrences(body, marker)
        if not found:
            continue
        if len(found) != len(ids):
            return None
        positions.append((name, tuple(found)))
    return Slots(tuple(ids), tuple(positions))


def _occurrences(body: bytes, marker: bytes) -> list[int]:
    found, start = [], body.find(marker)
    while start != -1:
        found.append(start)
        start = body.find(marker, start + len(marker))
    return found


class ReaderFlags(Protocol):
    def patches(self, ids: Sequence[int]) -> dict[int, dict[str, bytes]]:
        """For the movies among `ids` this reader has flagged: marker name -> rendered field."""


def merge(body: bytes, slots: Slots, flags: ReaderFlags) -> bytes:
    """The page with the reader's flags in place of the anonymous markers."""
    if not slots.positions:
        return body
    patches = flags.patches(slots.ids)
    if not patches:
        return body
    edits = []
    for index, movie_id in enumerate(slots.ids):
        patch = patches.get(movie_id)
        if not patch:
            continue
        for name, starts in slots.positions:
            fragment = patch.get(name)
            if fragment is not None:
                edits.append((starts[index], len(MARKERS[name]), fragment))
    edits.sort()
    parts, position = [], 0
    for start, length, fragment in edits:
        parts += (body[position:start], fragment)
        position = start + length
    parts.append(body[position:])
    return b"".join(parts)


def flag_fragment(name: str, value: Any) -> bytes:
    """A flag rendered as the page renders it (compact JSON), e.g. `"is_favorite":true`."""
    return b'"' + name.encode() + b'":' + json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class Audience:
    """What a shared page depends on besides the URL: the reader's language, region and adult choice."""

    language: str
    region: str
    include_adult: bool


@dataclass(frozen=True, slots=True)
class Reader:
    """A signed-in reader, resolved from the request's bearer token before the view runs."""

    user_id: int
    language: str  # the reader's preferences ("" = the default)
    region: str
    include_adult: bool
    flags: Callable[[], ReaderFlags]  # loaded only when a page has flags to merge


ReaderResolver = Callable[[Any], Reader | None]
_resolver: list[ReaderResolver] = []


def register_reader_resolver(resolver: ReaderResolver) -> None:
    """The accounts app says who a request's bearer token belongs to (None: let the view decide)."""
    _resolver[:] = [resolver]


def resolve_reader(request) -> Reader | None:
    return _resolver[0](request) if _resolver else None
