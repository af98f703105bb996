"""Bulk writes of TMDb data into the catalog: a constant number of queries per page, upsert by tmdb_id."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.mixins.models import SyncStatus
from core.services.tmdb import movies as parse

from ..models import Genre, Movie, MovieGenre, MovieRecommendation

LIST_UPDATE_FIELDS = [*parse.LIST_FIELDS, "updated_at"]


def _unique_items(results: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for item in results:
        if item["id"] not in seen:
            seen.add(item["id"])
            unique.append(item)
    return unique


@transaction.atomic
def store_list_results(results: list[dict], *, overwrite: bool = True) -> dict[int, int]:
    """Upsert basic movie rows from TMDb list results; returns {tmdb_id: pk}. Never one query per movie.

    `overwrite=False` only inserts unknown movies (used for other languages, so localized
    titles never replace the stored default-language ones).
    """
    items = _unique_items(results)
    if not items:
        return {}
    rows = [
        Movie(tmdb_id=item["id"], sync_status=SyncStatus.PARTIAL, **parse.list_item_fields(item))
        for item in items
    ]
    if overwrite:
        Movie.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["tmdb_id"], update_fields=LIST_UPDATE_FIELDS
        )
    else:
        Movie.objects.bulk_create(rows, ignore_conflicts=True)
    pks = dict(Movie.objects.filter(tmdb_id__in=[item["id"] for item in items]).values_list("tmdb_id", "pk"))
    _link_genres({pks[item["id"]]: item.get("genre_ids") or [] for item in items if item["id"] in pks})
    return pks


def _link_genres(genre_ids_by_movie: dict[int, list]) -> None:
    """Adds missing MovieGenre links (first genre primary) for genres already known; removes nothing."""
    wanted = {
        gid
        for ids in genre_ids_by_movie.values()
        if isinstance(ids, list)
        for gid in ids
        if parse.valid_id(gid)
    }
    if not wanted:
        return
    genres = dict(Genre.objects.filter(tmdb_id__in=wanted).values_list("tmdb_id", "pk"))
    links = [
        MovieGenre(movie_id=movie_pk, genre_id=genres[gid], is_primary=position == 0)
        for movie_pk, ids in genre_ids_by_movie.items()
        if isinstance(ids, list)
        for position, gid in enumerate(ids)
        if parse.valid_id(gid) and gid in genres
    ]
    MovieGenre.objects.bulk_create(links, ignore_conflicts=True)


def store_genres(items: list[dict]) -> dict[int, int]:
    """Upsert genres by tmdb_id (name updated); returns {tmdb_id: pk}."""
    items = [
        g
        for g in items
        if isinstance(g, dict) and parse.valid_id(g.get("id")) and isinstance(g.get("name"), str)
    ]
    if not items:
        return {}
    existing = {g.tmdb_id: g for g in Genre.objects.filter(tmdb_id__in=[g["id"] for g in items])}
    taken = set(Genre.objects.values_list("slug", flat=True))
    created, updated = [], []
    for item in items:
        genre = existing.get(item["id"])
        if genre is None:
            slug = slugify(item["name"])[:90] or f"genre-{item['id']}"
            slug = slug if slug not in taken else f"{slug}-{item['id']}"
            taken.add(slug)
            created.append(Genre(tmdb_id=item["id"], name=item["name"][:100], slug=slug))
        elif genre.name != item["name"][:100]:
            genre.name = item["name"][:100]
            updated.append(genre)
    Genre.objects.bulk_create(created, ignore_conflicts=True)
    if updated:
        Genre.objects.bulk_update(updated, ["name"])
    return dict(Genre.objects.filter(tmdb_id__in=[g["id"] for g in items]).values_list("tmdb_id", "pk"))


def store_movie_details(payload: dict) -> Movie:
    """Upsert one movie from a full details payload (genres, metadata, relations) in one transaction."""
    tmdb_id = int(payload["id"])
    with transaction.atomic():
        previous = Movie.objects.filter(tmdb_id=tmdb_id).values_list("metadata", flat=True).first() or {}
        metadata = {**previous, **parse.detail_metadata(payload)}
        values = {
            **parse.detail_fields(payload),
            "metadata": metadata,
            "sync_status": SyncStatus.COMPLETE,
            "last_synced_at": timezone.now(),
            "sync_retries": 0,
            "last_sync_error": "",
            "is_active": True,
        }
        Movie.objects.bulk_create(
            [Movie(tmdb_id=tmdb_id, **values)],
            update_conflicts=True,
            unique_fields=["tmdb_id"],
            update_fields=[*values, "updated_at"],
        )
        movie = Movie.objects.get(tmdb_id=tmdb_id)
        _replace_genres(movie, parse.genre_items(payload))
        for kind in ("recommendations", "similar"):
            if isinstance(payload.get(kind), dict):
                store_relations(movie, _relation_type(kind), parse.page_results(payload[kind]))
    return movie


def _replace_genres(movie: Movie, items: list[dict]) -> None:
    genres = store_genres(items)
    MovieGenre.objects.filter(movie=movie).delete()
    MovieGenre.objects.bulk_create(
        [
            MovieGenre(movie=movie, genre_id=genres[item["id"]], is_primary=position == 0)
            for position, item in enumerate(items)
            if item["id"] in genres
        ],
        ignore_conflicts=True,
    )


def _relation_type(kind: str) -> str:
    from ..models import RecommendationType

    return RecommendationType.RECOMMENDATION if kind == "recommendations" else RecommendationType.SIMILAR


@transaction.atomic
def store_relations(movie: Movie, relation_type: str, results: list[dict]) -> int:
    """Replace the stored relations of one type with TMDb's ranked list (score 1.0 down to >0)."""
    pks = store_list_results(results)
    ordered = [
        pks[item["id"]]
        for item in _unique_items(results)
        if item["id"] in pks and pks[item["id"]] != movie.pk
    ]
    MovieRecommendation.objects.filter(source_movie=movie, recommendation_type=relation_type).delete()
    MovieRecommendation.objects.bulk_create(
        [
            MovieRecommendation(
                source_movie=movie,
                recommended_movie_id=pk,
                recommendation_type=relation_type,
                score=round(1 - rank / len(ordered), 4),
            )
            for rank, pk in enumerate(ordered)
        ]
    )
    synced = {**(movie.metadata.get("related_synced_at") or {}), relation_type: timezone.now().isoformat()}
    movie.metadata = {**movie.metadata, "related_synced_at": synced}
    Movie.objects.filter(pk=movie.pk).update(metadata=movie.metadata)
    return len(ordered)


def mark_gone(tmdb_id: int) -> int:
    """Soft-delete a movie TMDb says no longer exists (34); returns rows changed."""
    return Movie.objects.filter(tmdb_id=tmdb_id).update(
        is_active=False, sync_status=SyncStatus.GONE, last_synced_at=timezone.now(), updated_at=timezone.now()
    )


def record_sync_failure(tmdb_id: int, error: Exception) -> None:
    from django.db.models import F, Value
    from django.db.models.functions import Least

    Movie.objects.filter(tmdb_id=tmdb_id).update(
        sync_retries=Least(F("sync_retries") + 1, Value(32767)),
        last_sync_error=str(error)[:1000],
        updated_at=timezone.now(),
    )
