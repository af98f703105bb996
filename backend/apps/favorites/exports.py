"""Streaming export of one user's favorites and watchlist as CSV or JSON, row by row."""

import csv
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import Favorite, WatchlistItem

CSV_COLUMNS = ("list", "tmdb_id", "title", "year", "rating", "notes", "added_at")
CHUNK_SIZE = 500
# Cells a spreadsheet would run as a formula are prefixed with a quote (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


class ExportService:
    """Everything currently in the user's favorites and watchlist, oldest first, adult titles included."""

    def __init__(self, *, user):
        self.user = user

    def lists(self) -> Iterator[tuple[str, Iterator[dict]]]:
        yield "favorites", _rows(Favorite.objects.of(self.user), with_rating=True)
        yield "watchlist", _rows(WatchlistItem.objects.of(self.user), with_rating=False)

    def csv_chunks(self) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(CSV_COLUMNS)
        for name, rows in self.lists():
            for row in rows:
                yield writer.writerow(
                    [_safe_cell({**row, "list": name}.get(column)) for column in CSV_COLUMNS]
                )

    def json_chunks(self) -> Iterator[str]:
        """The standard envelope, streamed: `data` holds one array per list."""
        encoder = DjangoJSONEncoder()
        yield '{"success": true, "message": "OK", "data": {'
        for index, (name, rows) in enumerate(self.lists()):
            yield ("," if index else "") + f'"{name}": ['
            for position, row in enumerate(rows):
                yield ("," if position else "") + encoder.encode(row)
            yield "]"
        meta = {"exported_at": timezone.now(), "format": "json"}
        yield '}, "errors": null, "meta": ' + encoder.encode(meta) + "}"


def _rows(queryset, *, with_rating: bool) -> Iterator[dict]:
    fields = ["movie__tmdb_id", "movie__title", "movie__release_date", "notes", "added_at"]
    if with_rating:
        fields.append("user_rating")
    for values in queryset.order_by("added_at", "id").values(*fields).iterator(chunk_size=CHUNK_SIZE):
        release_date = values["movie__release_date"]
        row = {
            "tmdb_id": values["movie__tmdb_id"],
            "title": values["movie__title"],
            "year": release_date.year if release_date else None,
            "notes": values["notes"],
            "added_at": values["added_at"].isoformat(),
        }
        if with_rating:
            row["rating"] = values["user_rating"]
        yield row


def _safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
