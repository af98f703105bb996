"""Writing one matched entry into the user's lists: idempotent, and never over a newer local edit."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.favorites.models import Favorite, WatchlistItem
from apps.history.models import Viewing

APPLIED, UNCHANGED = "applied", "unchanged"
VIEWING_FIELDS = ("rating", "rewatch", "review")


class EntryWriter:
    """One user's side of an import (the caller holds the transaction, one per row)."""

    def __init__(self, *, user, source: str):
        self.user = user
        self.source = source

    def apply(self, kind: str, data: dict, movie) -> tuple[str, str]:
        """(outcome, reason) for one entry; outcome is "applied" or "unchanged"."""
        return {"viewing": self._viewing, "watchlist": self._watchlist, "favorite": self._favorite}[kind](
            data, movie
        )

    def _viewing(self, data: dict, movie) -> tuple[str, str]:
        watched_on = _date(data.get("watched_on"))
        if watched_on is None:
            raise ValueError("No date watched.")
        values = _viewing_values(data)
        viewing = (
            Viewing.objects.select_for_update()
            .filter(user=self.user, movie=movie, watched_on=watched_on)
            .first()
        )
        if viewing is None:
            Viewing(user=self.user, movie=movie, watched_on=watched_on, source=self.source, **values).save(
                force_insert=True
            )
            return APPLIED, ""
        if not viewing.is_active:
            return UNCHANGED, "Removed here: kept removed."
        changed = {name: value for name, value in values.items() if getattr(viewing, name) != value}
        if not changed:
            return UNCHANGED, "Already there."
        if _newer_local_edit(viewing.edited_at, data.get("logged_at")):
            return UNCHANGED, "Kept the newer edit made here."
        for name, value in changed.items():
            setattr(viewing, name, value)
        viewing.save(update_fields=[*changed, "updated_at"])
        return APPLIED, ""

    def _watchlist(self, data: dict, movie) -> tuple[str, str]:
        return self._list_entry(WatchlistItem, data, movie, {"notes": str(data.get("notes") or "")})

    def _favorite(self, data: dict, movie) -> tuple[str, str]:
        rating = data.get("rating")
        valid = isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 10
        values = {"notes": str(data.get("notes") or ""), "user_rating": rating if valid else None}
        return self._list_entry(Favorite, data, movie, values)

    def _list_entry(self, model, data: dict, movie, values: dict) -> tuple[str, str]:
        """Created when missing; a removed entry is restored only if the import added it later."""
        added_at = _datetime(data.get("added_at")) or timezone.now()
        entry = model.objects.select_for_update().filter(user=self.user, movie=movie).first()
        if entry is None:
            model(user=self.user, movie=movie, added_at=added_at, **values).save(force_insert=True)
            return APPLIED, ""
        if entry.is_active:
            blanks = {name: value for name, value in values.items() if value and not getattr(entry, name)}
            for name, value in blanks.items():
                setattr(entry, name, value)
            if blanks:
                entry.save(update_fields=[*blanks, "updated_at"])
                return APPLIED, ""
            return UNCHANGED, "Already there."
        if entry.removed_at and entry.removed_at >= added_at:
            return UNCHANGED, "Removed here after it was added there: kept removed."
        entry.is_active, entry.removed_at, entry.added_at = True, None, added_at
        entry.save(update_fields=["is_active", "removed_at", "added_at", "updated_at"])
        return APPLIED, ""


def _viewing_values(data: dict) -> dict:
    """The fields the entry sets, checked (a bad value fails the row, it never reaches the table)."""
    values = {name: data[name] for name in VIEWING_FIELDS if name in data}
    rating = values.get("rating")
    if rating is not None and (
        not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 10
    ):
        raise ValueError(f"Rating {rating!r} is not 1-10.")
    if not isinstance(values.get("rewatch", False), bool):
        raise ValueError("Rewatch must be true or false.")
    if not isinstance(values.get("review", ""), str):
        raise ValueError("Review must be text.")
    return values


def _newer_local_edit(edited_at, logged_at) -> bool:
    if edited_at is None:
        return False
    logged = _datetime(logged_at)
    return logged is None or logged <= edited_at


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _datetime(value) -> datetime.datetime | None:
    """An aware datetime from an ISO date or datetime (a date is its midnight UTC)."""
    if not value:
        return None
    text = str(value)
    parsed = parse_datetime(text) if len(text) > 10 else None
    if parsed is None:
        day = _date(text)
        parsed = datetime.datetime.combine(day, datetime.time()) if day else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed
