"""CatalogWriter: the one writer of movie, genre and relation rows — transaction, lock order, invalidation.

Every change to `movies_movie`, `movies_genre`, `movies_movie_genre` and
`movies_movie_recommendation` goes through this module (a test greps the code base for other
writers). The web read-through, the sync jobs, Celery tasks and the admin all call it.

Lock order, the same for every writer, so parallel writers never deadlock:

1. genre rows, in their own short transaction before anything else (sorted by tmdb_id);
2. every movie row the write touches — the movie itself and each related or listed movie —
   upserted in ONE statement sorted by tmdb_id (`INSERT … ON CONFLICT DO UPDATE … WHERE`, which
   locks every conflicting row, changed or not);
3. then only rows owned by movies locked in step 2: their genre links and their outgoing relations.

A transaction never waits after step 2 (it only writes rows that no one can touch without the
movie locks it holds), and waits inside step 2 are in ascending tmdb_id order: no cycle can form.

After commit the writer invalidates exactly what changed: the detail family of every movie whose
stored values changed, every list when any row was added or changed, everything after a genre rename.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.text import slugify

from core import cache
from core.cache import keys as cache_keys
from core.mixins.models import SyncStatus
from core.services.tmdb import movies as parse

from ..models import Genre, Movie, MovieGenre, MovieRecommendation, RecommendationType

logger = logging.getLogger(__name__)

T = TypeVar("T")
WRITE_ATTEMPTS = 5
# PostgreSQL deadlock_detected / serialization_failure; SQLite's busy database.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
MAX_ERROR_LENGTH = 1000
UPSERT_CHUNK = 500
LIST_COLUMNS = parse.LIST_FIELDS
DETAIL_ONLY_COLUMNS = ("tagline", "runtime", "status", "budget", "revenue", "homepage", "imdb_id")
RELATION_KINDS = {
    "recommendations": RecommendationType.RECOMMENDATION,
    "similar": RecommendationType.SIMILAR,
}


@dataclass
class Changes:
    """What one write changed, for the after-commit invalidation."""

    movies: set[int] = field(default_factory=set)  # tmdb ids whose stored values changed
    lists: bool = False  # a row was added, changed or hidden: every list may differ
    catalog: bool = False  # genres renamed: everything rendered from the catalog

    def merge(self, other: Changes) -> None:
        self.movies |= other.movies
        self.lists |= other.lists
        self.catalog |= other.catalog

    def invalidate(self) -> None:
        for tmdb_id in sorted(self.movies):
            cache.bump_namespace(cache_keys.movie_namespace(tmdb_id))
        if self.lists:
            cache.invalidate_catalog_lists()
        if self.catalog:
            cache.invalidate_catalog()


@dataclass
class StoredItems:
    """The result of storing list items: {tmdb_id: pk}, and whether every item got its genres."""

    pks: dict[int, int]
    complete: bool = True


def is_transient(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in TRANSIENT_SQLSTATES or "database is locked" in str(exc)


class CatalogWriter:
    """Writes TMDb data into the catalog. `genres_source` returns TMDb's genre list payload
    ({"genres": [...]}) when a write meets genre ids the table does not know yet."""

    def __init__(self, *, genres_source: Callable[[], dict] | None = None):
        self.genres_source = genres_source

    @classmethod
    def for_client(cls, tmdb) -> CatalogWriter:
        """A writer that learns unknown genre ids from this TMDb client's (cached) genre list."""
        return cls(genres_source=tmdb.genres if tmdb.configured else None)

    # --- list items ------------------------------------------------------------------------
    def store_list_items(self, results: list[dict], *, overwrite: bool = True) -> StoredItems:
        """Upsert the movies of a TMDb list page (values and genres in TMDb's order); {tmdb_id: pk}.

        `overwrite=False` only inserts unknown movies (other languages: localized titles never
        replace the stored default-language ones)."""
        items = _unique_items(results)
        if not items:
            return StoredItems({})
        complete, genre_pks = self._ensure_genres(_genre_ids_of(items))
        stored = self._atomic(lambda: self._write_items(items, genre_pks, overwrite=overwrite))
        return StoredItems(stored, complete)

    def _write_items(
        self, items: list[dict], genre_pks: dict[int, int], *, overwrite: bool
    ) -> tuple[dict[int, int], Changes]:
        rows = [_list_row(item) for item in items]
        pks, changes, inserted = _upsert_movies(rows, overwrite=overwrite)
        wanted = {
            pks[item["id"]]: _valid_genre_ids(item.get("genre_ids"))
            for item in items
            if item["id"] in pks and (overwrite or item["id"] in inserted)
        }
        changes.merge(_replace_genre_links(wanted, genre_pks, by_tmdb_id=_inverse(pks)))
        return pks, changes

    # --- one movie in full -----------------------------------------------------------------
    def store_details(self, payload: dict, *, restore: bool = True) -> int:
        """Upsert one movie from a full details payload: fields, metadata, genres in TMDb's order,
        recommendations and similar (their movies stored as list rows), bookkeeping reset.
        Returns its tmdb_id."""
        tmdb_id = int(payload["id"])
        genre_items = parse.genre_items(payload)
        related = {
            kind: _unique_items(parse.page_results(payload[kind]), exclude=tmdb_id)
            for kind in RELATION_KINDS
            if isinstance(payload.get(kind), dict)
        }
        related_items = [item for items in related.values() for item in items]
        genre_pks = self._store_genre_items(genre_items, also=_genre_ids_of(related_items))
        missing = _genre_ids_of(related_items) - set(genre_pks)
        if missing:
            genre_pks = {**self._ensure_genres(missing)[1], **genre_pks}
        self._atomic(lambda: self._write_details(payload, genre_items, related, genre_pks, restore=restore))
        return tmdb_id

    def _write_details(
        self, payload: dict, genre_items: list, related: dict, genre_pks: dict, *, restore: bool
    ):
        tmdb_id = int(payload["id"])
        related_items = _unique_items([item for items in related.values() for item in items])
        rows = [_list_row(payload), *(_list_row(item) for item in related_items)]
        pks, changes, inserted = _upsert_movies(rows, overwrite=True)
        movie_pk = pks[tmdb_id]
        restored = self._update_detail_fields(movie_pk, payload, related.keys(), restore=restore)
        changes.movies.add(tmdb_id)
        changes.lists |= restored or tmdb_id in inserted
        links = {movie_pk: [item["id"] for item in genre_items]}
        links.update({pks[i["id"]]: _valid_genre_ids(i.get("genre_ids")) for i in related_items})
        changes.merge(_replace_genre_links(links, genre_pks, by_tmdb_id=_inverse(pks)))
        _replace_relations(
            movie_pk,
            {RELATION_KINDS[kind]: [pks[item["id"]] for item in items] for kind, items in related.items()},
        )
        return None, changes

    @staticmethod
    def _update_detail_fields(movie_pk: int, payload: dict, related_kinds, *, restore: bool) -> bool:
        """The detail columns, metadata (with when each relation type was stored) and bookkeeping;
        a movie TMDb had reported gone is shown again (True). A movie staff hid stays hidden."""
        previous, status = Movie.objects.filter(pk=movie_pk).values_list("metadata", "sync_status").get()
        metadata = {**(previous or {}), **parse.detail_metadata(payload)}
        values = {
            **parse.detail_fields(payload),
            "metadata": _with_related_stamp(metadata, related_kinds),
            "sync_status": SyncStatus.COMPLETE,
            "last_synced_at": timezone.now(),
            "sync_retries": 0,
            "last_sync_error": "",
            "next_sync_attempt_at": None,
            "updated_at": timezone.now(),
        }
        restored = restore and status == SyncStatus.GONE
        if restored:
            values["is_active"] = True
        Movie.objects.filter(pk=movie_pk).update(**values)
        return restored

    # --- relations of one stored movie -----------------------------------------------------
    def store_relations(self, *, tmdb_id: int, relation_type: str, results: list[dict]) -> int:
        """Replace a stored movie's relations of one type with TMDb's ranked list; returns how many."""
        items = _unique_items(results, exclude=tmdb_id)
        genre_pks = self._ensure_genres(_genre_ids_of(items))[1]

        def write():
            source = Movie.objects.filter(tmdb_id=tmdb_id).values("pk", *LIST_COLUMNS).first()
            if source is None:
                return 0, Changes()
            # The source row joins the one sorted upsert (unchanged) so its lock is taken in order.
            rows = [_row_of(tmdb_id, source), *(_list_row(item) for item in items)]
            pks, changes, _ = _upsert_movies(rows, overwrite=True)
            links = {pks[i["id"]]: _valid_genre_ids(i.get("genre_ids")) for i in items}
            changes.merge(_replace_genre_links(links, genre_pks, by_tmdb_id=_inverse(pks)))
            count = _replace_relations(pks[tmdb_id], {relation_type: [pks[item["id"]] for item in items]})
            _stamp_related(pks[tmdb_id], [relation_type])
            changes.movies.add(tmdb_id)
            return count, changes

        return self._atomic(write)

    # --- genres ----------------------------------------------------------------------------
    def store_genres(self, items: list[dict]) -> dict[int, int]:
        """Upsert genres by tmdb_id (renamed and re-activated); {tmdb_id: pk}. A rename invalidates
        everything rendered from the catalog (genre names appear in every movie payload)."""
        return self._store_genre_items(items, reactivate=True)

    def _store_genre_items(
        self, items: list[dict], *, reactivate: bool = False, also: set[int] = frozenset()
    ) -> dict[int, int]:
        """Genres upserted; {tmdb_id: pk} of them and of the known ones among `also` (one query
        when nothing changed)."""
        items = sorted({g["id"]: g for g in items if _valid_genre(g)}.values(), key=lambda g: g["id"])
        ids = [g["id"] for g in items]
        if not ids and not also:
            return {}
        existing = {g.tmdb_id: g for g in Genre.objects.filter(tmdb_id__in={*ids, *also})}
        known = {tmdb_id: genre.pk for tmdb_id, genre in existing.items()}
        if all(_genre_current(existing.get(g["id"]), g, reactivate) for g in items):
            return known
        return {**known, **self._atomic(lambda: _write_genres(items, reactivate=reactivate))}

    def _ensure_genres(self, genre_ids: set[int]) -> tuple[bool, dict[int, int]]:
        """(every id known, {tmdb_id: pk}), fetching TMDb's genre list once when an id is unknown."""
        if not genre_ids:
            return True, {}
        known = dict(Genre.objects.filter(tmdb_id__in=genre_ids).values_list("tmdb_id", "pk"))
        if set(known) >= genre_ids or self.genres_source is None:
            return set(known) >= genre_ids, known
        try:
            payload = self.genres_source()
        except Exception as exc:  # noqa: BLE001 - any upstream failure: the answer is incomplete, not failed
            logger.warning(
                "TMDb genre list unavailable (%s): %d genre id(s) unknown", exc, len(genre_ids - set(known))
            )
            return False, known
        stored = self._store_genre_items(payload.get("genres") or [])
        known.update({gid: pk for gid, pk in stored.items() if gid in genre_ids})
        return set(known) >= genre_ids, known

    # --- bookkeeping -----------------------------------------------------------------------
    def mark_gone(self, tmdb_id: int) -> bool:
        """TMDb says the movie no longer exists (34): soft-delete it; True when a stored row changed."""

        def write():
            now = timezone.now()
            changed = (
                Movie.objects.filter(tmdb_id=tmdb_id)
                .exclude(is_active=False, sync_status=SyncStatus.GONE)
                .update(
                    is_active=False,
                    sync_status=SyncStatus.GONE,
                    last_synced_at=now,
                    next_sync_attempt_at=None,
                    sync_retries=0,
                    last_sync_error="",
                    updated_at=now,
                )
            )
            if not changed:  # already gone: only note that TMDb was asked again
                Movie.objects.filter(tmdb_id=tmdb_id).update(last_synced_at=now)
            return bool(changed), Changes(movies={tmdb_id} if changed else set(), lists=bool(changed))

        return self._atomic(write)

    def record_failure(self, tmdb_id: int, error: Exception, *, back_off: bool = True) -> bool:
        """A refresh failed: count it, keep the error, and (for sync jobs) wait before the next try.
        The stored values did not change, so nothing is invalidated. False when not stored."""
        now = timezone.now()
        message = f"{now:%Y-%m-%dT%H:%M:%SZ} {type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
        values = {
            "sync_retries": Least(F("sync_retries") + 1, Value(32767)),
            "last_sync_error": message,
            "updated_at": now,
        }
        if back_off:
            values["sync_status"] = SyncStatus.FAILED

        def write():
            updated = Movie.objects.filter(tmdb_id=tmdb_id).update(**values)
            if updated and back_off:
                retries = Movie.objects.filter(tmdb_id=tmdb_id).values_list("sync_retries", flat=True).first()
                Movie.objects.filter(tmdb_id=tmdb_id).update(next_sync_attempt_at=now + retry_delay(retries))
            return bool(updated), Changes()

        return self._atomic(write)

    def mark_checked(self, tmdb_id: int) -> None:
        """TMDb was asked and nothing changed: the row is fresh again (refresh_stale moves on)."""
        self._atomic(
            lambda: (Movie.objects.filter(tmdb_id=tmdb_id).update(last_synced_at=timezone.now()), Changes())
        )

    def set_active(self, tmdb_ids: Iterable[int], *, active: bool) -> int:
        """Staff hide or restore movies; every answer showing them changes."""
        ids = sorted(set(tmdb_ids))

        def write():
            count = Movie.objects.filter(tmdb_id__in=ids).update(is_active=active, updated_at=timezone.now())
            return count, Changes(movies=set(ids), lists=True)

        return self._atomic(write)

    def set_genres_active(self, genre_ids: Iterable[int], *, active: bool) -> int:
        """Staff hide or restore genres (by pk); everything rendered from the catalog changes."""
        ids = sorted(set(genre_ids))

        def write():
            count = Genre.objects.filter(pk__in=ids).update(is_active=active, updated_at=timezone.now())
            return count, Changes(catalog=True)

        return self._atomic(write)

    def save_edited(self, obj: Movie | Genre | MovieRecommendation) -> None:
        """A staff edit from an admin form, saved and invalidated (a genre: the whole catalog)."""
        self._atomic(lambda: (obj.save(), _edit_changes(obj)))

    def save_edited_links(self, movie: Movie, formset) -> None:
        """An admin inline's genre links or relations of one movie, saved and invalidated."""
        self._atomic(lambda: (formset.save(), Changes(movies={movie.tmdb_id}, lists=True)))

    def delete_edited(self, obj: Movie | Genre | MovieRecommendation) -> None:
        changes = _edit_changes(obj)
        self._atomic(lambda: (obj.delete(), changes))

    @staticmethod
    def invalidate(tmdb_ids: Iterable[int] = ()) -> None:
        """Staff asked for fresh answers without a change (the admin's "invalidate caches" action)."""
        Changes(movies=set(tmdb_ids), lists=True).invalidate()

    # --- the transaction -------------------------------------------------------------------
    @staticmethod
    def _atomic(write: Callable[[], tuple[T, Changes]]) -> T:
        """Run `write` in a transaction, retried whole on a deadlock or serialization failure (never
        expected: the lock order rules them out; kept for the unexpected); invalidate after commit."""
        nested = transaction.get_connection().in_atomic_block
        for attempt in range(1 if nested else WRITE_ATTEMPTS):
            try:
                with transaction.atomic():
                    result, changes = write()
                    after_commit(changes.invalidate)
                return result
            except OperationalError as exc:
                if nested or attempt + 1 >= WRITE_ATTEMPTS or not is_transient(exc):
                    raise
                logger.warning("catalog write conflict (%s), retry %d", exc.__cause__ or exc, attempt + 1)
                time.sleep(random.uniform(0.01, 0.1) * (attempt + 1))  # noqa: S311 - jitter
        raise AssertionError("unreachable")  # pragma: no cover


def after_commit(callback: Callable[[], None]) -> None:
    """Invalidation runs once the write is visible to readers (at once outside a transaction)."""
    transaction.on_commit(callback, robust=True)


def _edit_changes(obj) -> Changes:
    if isinstance(obj, Genre):
        return Changes(catalog=True)
    if isinstance(obj, MovieRecommendation):
        return Changes(movies={obj.source_movie.tmdb_id}, lists=True)
    return Changes(movies={obj.tmdb_id}, lists=True)


def retry_delay(failures: int):
    """The growing back-off before a failed movie is tried again: base · 2^(failures-1), capped."""
    from datetime import timedelta

    minutes = settings.SYNC_RETRY_BASE_MINUTES * 2 ** max(0, min(failures or 1, 30) - 1)
    return timedelta(minutes=min(minutes, settings.SYNC_RETRY_MAX_MINUTES))


# --- movie rows: the one sorted upsert ---------------------------------------------------------
def _list_row(item: dict) -> Movie:
    return Movie(tmdb_id=int(item["id"]), sync_status=SyncStatus.PARTIAL, **parse.list_item_fields(item))


def _row_of(tmdb_id: int, values: dict) -> Movie:
    return Movie(tmdb_id=tmdb_id, sync_status=SyncStatus.PARTIAL, **{c: values[c] for c in LIST_COLUMNS})


def _upsert_movies(rows: list[Movie], *, overwrite: bool) -> tuple[dict[int, int], Changes, set[int]]:
    """Insert or update the rows' list columns in tmdb_id order, locking every one of them.

    Returns ({tmdb_id: pk} for all rows, what changed, the tmdb ids inserted). Existing rows are
    updated only where a value differs (`overwrite`), never their status or visibility."""
    rows = sorted({row.tmdb_id: row for row in rows}.values(), key=lambda row: row.tmdb_id)
    ids = [row.tmdb_id for row in rows]
    existing = dict(Movie.objects.filter(tmdb_id__in=ids).values_list("tmdb_id", "pk"))
    written: dict[int, int] = {}
    for offset in range(0, len(rows), UPSERT_CHUNK):
        written.update(_upsert_chunk(rows[offset : offset + UPSERT_CHUNK], overwrite=overwrite))
    pks = {**existing, **written}
    missing = [i for i in ids if i not in pks]  # inserted meanwhile by another writer, unchanged here
    if missing:
        pks.update(Movie.objects.filter(tmdb_id__in=missing).values_list("tmdb_id", "pk"))
    inserted = set(written) - set(existing)
    changed = set(written) & set(existing)
    return pks, Changes(movies=changed, lists=bool(written)), inserted


def _upsert_chunk(rows: list[Movie], *, overwrite: bool) -> dict[int, int]:
    """One INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING for the rows (sorted by tmdb_id);
    returns {tmdb_id: pk} of the rows inserted or changed."""
    meta = Movie._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    varying = [meta.get_field(name) for name in ("tmdb_id", *LIST_COLUMNS)]
    fixed = [f for f in meta.concrete_fields if not f.primary_key and f not in varying]
    columns = ", ".join(quote(f.column) for f in (*varying, *fixed))
    if connection.vendor == "postgresql":
        source, params = _unnest_source(rows, varying, fixed)
    else:
        source, params = _values_source(rows, [*varying, *fixed])
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in (*LIST_COLUMNS, "updated_at"))
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    differs = " OR ".join(f"{table}.{quote(c)} {distinct} excluded.{quote(c)}" for c in LIST_COLUMNS)
    condition = f"({differs})" if overwrite else "1 = 0"
    # Only quoted column names and type names are interpolated; every value is a bound parameter.
    sql = " ".join(
        [
            f"INSERT INTO {table} ({columns}) {source}",
            f"ON CONFLICT ({quote('tmdb_id')}) DO UPDATE SET {updates} WHERE {condition}",
            f"RETURNING {quote('tmdb_id')}, {quote(meta.pk.column)}",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _values_source(rows: list[Movie], fields: list) -> tuple[str, list]:
    """VALUES (…), (…): one placeholder per value (SQLite)."""
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    return "VALUES " + ", ".join([placeholder] * len(rows)), params


def _unnest_source(rows: list[Movie], varying: list, fixed: list) -> tuple[str, list]:
    """SELECT … FROM unnest(one array per varying column) ORDER BY tmdb_id (PostgreSQL): a fixed,
    small number of parameters whatever the row count, and rows inserted (so locked) in order."""
    quote = connection.ops.quote_name
    arrays = [[f.get_db_prep_save(getattr(row, f.attname), connection) for row in rows] for f in varying]
    template = rows[0]
    constants = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fixed]
    names = ", ".join(quote(f.column) for f in varying)
    unnest = ", ".join(f"%s::{f.db_type(connection)}[]" for f in varying)
    selected = ", ".join(
        [*(f"u.{quote(f.column)}" for f in varying), *(f"%s::{f.db_type(connection)}" for f in fixed)]
    )
    source = f"SELECT {selected} FROM unnest({unnest}) AS u({names}) ORDER BY u.{quote('tmdb_id')}"  # noqa: S608 - quoted names only
    return source, [*constants, *arrays]


# --- rows owned by locked movies ----------------------------------------------------------------
def _replace_genre_links(
    wanted: dict[int, list[int]], genre_pks: dict[int, int], *, by_tmdb_id: dict[int, int]
) -> Changes:
    """Make each movie's genre links TMDb's list, in TMDb's order (only where they differ).

    `wanted` is {movie pk: [genre tmdb ids]}; `genre_pks` maps the known genres' tmdb ids to pks
    (unknown ones are left out)."""
    wanted = {pk: ids for pk, ids in wanted.items() if ids}
    if not wanted:
        return Changes()
    target = {pk: [genre_pks[g] for g in dict.fromkeys(ids) if g in genre_pks] for pk, ids in wanted.items()}
    stored: dict[int, list[int]] = {pk: [] for pk in target}
    for movie_id, genre_id in (
        MovieGenre.objects.filter(movie_id__in=target)
        .order_by("movie_id", "position", "id")
        .values_list("movie_id", "genre_id")
    ):
        stored[movie_id].append(genre_id)
    differing = sorted(pk for pk, genres in target.items() if genres and genres != stored[pk])
    if not differing:
        return Changes()
    if any(stored[pk] for pk in differing):
        MovieGenre.objects.filter(movie_id__in=[pk for pk in differing if stored[pk]]).delete()
    MovieGenre.objects.bulk_create(
        [
            MovieGenre(movie_id=pk, genre_id=genre_pk, is_primary=position == 0, position=position)
            for pk in differing
            for position, genre_pk in enumerate(target[pk])
        ]
    )
    # A movie that had no links was a row without genres: lists showed it with none.
    return Changes(movies={by_tmdb_id[pk] for pk in differing if pk in by_tmdb_id}, lists=True)


def _replace_relations(source_pk: int, ranked: dict[str, list[int]]) -> int:
    """Replace the source movie's relations of each given type with TMDb's ranked lists (score 1.0
    down to >0): one delete and one insert for all types."""
    rows = []
    for relation_type, pks in ranked.items():
        ordered = [pk for pk in dict.fromkeys(pks) if pk != source_pk]
        rows += [
            MovieRecommendation(
                source_movie_id=source_pk,
                recommended_movie_id=pk,
                recommendation_type=relation_type,
                score=round(1 - rank / len(ordered), 4),
            )
            for rank, pk in enumerate(ordered)
        ]
    if ranked:
        MovieRecommendation.objects.filter(
            source_movie_id=source_pk, recommendation_type__in=list(ranked)
        ).delete()
        MovieRecommendation.objects.bulk_create(rows)
    return len(rows)


def _with_related_stamp(metadata: dict, kinds: Iterable[str]) -> dict:
    """Metadata noting when each relation type was stored (a read fetches a type only once)."""
    types = [str(RELATION_KINDS.get(kind, kind)) for kind in kinds]
    if not types:
        return metadata
    now = timezone.now().isoformat()
    return {
        **metadata,
        "related_synced_at": {**(metadata.get("related_synced_at") or {}), **dict.fromkeys(types, now)},
    }


def _stamp_related(movie_pk: int, kinds: Iterable[str]) -> None:
    metadata = Movie.objects.filter(pk=movie_pk).values_list("metadata", flat=True).first() or {}
    Movie.objects.filter(pk=movie_pk).update(metadata=_with_related_stamp(metadata, kinds))


# --- genres ------------------------------------------------------------------------------------
def _write_genres(items: list[dict], *, reactivate: bool) -> tuple[dict[int, int], Changes]:
    existing = {
        g.tmdb_id: g
        for g in Genre.objects.select_for_update(no_key=True)
        .filter(tmdb_id__in=[g["id"] for g in items])
        .order_by("tmdb_id")
    }
    taken = set(Genre.objects.values_list("slug", flat=True))
    created, updated = [], []
    for item in items:
        name = item["name"][:100]
        genre = existing.get(item["id"])
        if genre is None:
            slug = slugify(name)[:90] or f"genre-{item['id']}"
            slug = slug if slug not in taken else f"{slug}-{item['id']}"
            taken.add(slug)
            created.append(Genre(tmdb_id=item["id"], name=name, slug=slug))
        elif genre.name != name or (reactivate and not genre.is_active):
            genre.name, genre.is_active = name, genre.is_active or reactivate
            updated.append(genre)
    Genre.objects.bulk_create(created, ignore_conflicts=True)
    if updated:
        Genre.objects.bulk_update(updated, ["name", "is_active"])
    pks = dict(Genre.objects.filter(tmdb_id__in=[g["id"] for g in items]).values_list("tmdb_id", "pk"))
    return pks, Changes(catalog=bool(updated), lists=bool(created))


def _genre_current(genre: Genre | None, item: dict, reactivate: bool) -> bool:
    return genre is not None and genre.name == item["name"][:100] and (genre.is_active or not reactivate)


def _valid_genre(item) -> bool:
    return isinstance(item, dict) and parse.valid_id(item.get("id")) and isinstance(item.get("name"), str)


def _valid_genre_ids(ids) -> list[int]:
    return [gid for gid in ids if parse.valid_id(gid)] if isinstance(ids, list) else []


def _genre_ids_of(items: list[dict]) -> set[int]:
    return {gid for item in items for gid in _valid_genre_ids(item.get("genre_ids"))}


# --- helpers -----------------------------------------------------------------------------------
def _unique_items(results: list[dict], *, exclude: int | None = None) -> list[dict]:
    """Results with a storable id, first occurrence kept, in TMDb's order."""
    seen, unique = set(), []
    for item in results:
        tmdb_id = item.get("id")
        if parse.valid_id(tmdb_id) and tmdb_id != exclude and tmdb_id not in seen:
            seen.add(tmdb_id)
            unique.append(item)
    return unique


def _inverse(pks: dict[int, int]) -> dict[int, int]:
    return {pk: tmdb_id for tmdb_id, pk in pks.items()}
