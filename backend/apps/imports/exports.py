"""Streaming exports of one user's history: Letterboxd's import CSV, and a full JSON that imports back."""

import csv
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from apps.favorites.exports import CHUNK_SIZE, _Echo, _safe_cell
from apps.favorites.models import Favorite, WatchlistItem
from apps.history.models import Viewing

# Letterboxd's documented import columns (letterboxd.com/about/importing-data/), plus Rewatch.
LETTERBOXD_COLUMNS = ("Title", "Year", "imdbID", "tmdbID", "WatchedDate", "Rating10", "Rewatch", "Review")
EXPORT_FORMAT = "movie-nexus"
EXPORT_VERSION = 1


class HistoryExportService:
    """Everything current, oldest first, adult titles included (it is the user's own data)."""

    def __init__(self, *, user):
        self.user = user

    def letterboxd_chunks(self) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(LETTERBOXD_COLUMNS)
        for row in self._history():
            yield writer.writerow(
                [
                    _safe_cell(row["title"]),
                    row["year"] or "",
                    row["imdb_id"] or "",
                    row["tmdb_id"],
                    row["watched_on"],
                    row["rating"] or "",
                    "true" if row["rewatch"] else "false",
                    _safe_cell(row["review"]),
                ]
            )

    def json_chunks(self) -> Iterator[str]:
        """The standard envelope, streamed; `data` is what source=movienexus imports back."""
        encoder = DjangoJSONEncoder()
        yield '{"success": true, "message": "OK", "data": {'
        yield f'"format": "{EXPORT_FORMAT}", "version": {EXPORT_VERSION}'
        for name, rows in (
            ("favorites", self._list(Favorite)),
            ("watchlist", self._list(WatchlistItem)),
            ("history", self._history()),
        ):
            yield f', "{name}": ['
            for position, row in enumerate(rows):
                yield ("," if position else "") + encoder.encode(row)
            yield "]"
        meta = {"exported_at": timezone.now(), "format": "json"}
        yield '}, "errors": null, "meta": ' + encoder.encode(meta) + "}"

    def _history(self) -> Iterator[dict]:
        fields = ["movie__tmdb_id", "movie__imdb_id", "movie__title", "movie__release_date"]
        viewings = Viewing.objects.of(self.user).order_by("watched_on", "id")
        for values in viewings.values(*fields, "watched_on", "rating", "rewatch", "review").iterator(
            chunk_size=CHUNK_SIZE
        ):
            yield {
                **_movie(values),
                **{name: values[name] for name in ("rating", "rewatch", "review")},
                "watched_on": values["watched_on"].isoformat(),
            }

    def _list(self, model) -> Iterator[dict]:
        fields = [
            "movie__tmdb_id",
            "movie__imdb_id",
            "movie__title",
            "movie__release_date",
            "notes",
            "added_at",
        ]
        if model is Favorite:
            fields.append("user_rating")
        entries = model.objects.of(self.user).order_by("added_at", "id").values(*fields)
        for values in entries.iterator(chunk_size=CHUNK_SIZE):
            row = {**_movie(values), "notes": values["notes"], "added_at": values["added_at"].isoformat()}
            if model is Favorite:
                row["rating"] = values["user_rating"]
            yield row


def _movie(values: dict) -> dict:
    release_date = values["movie__release_date"]
    return {
        "tmdb_id": values["movie__tmdb_id"],
        "imdb_id": values["movie__imdb_id"] or None,
        "title": values["movie__title"],
        "year": release_date.year if release_date else None,
    }
