"""The sync jobs themselves; management commands and Celery tasks both call these, nothing else."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.mixins.models import SyncStatus
from core.services.tmdb import Policy
from core.services.tmdb import movies as parse
from core.services.tmdb.errors import TMDbBadRequest, TMDbError, TMDbUnauthorized

from ..models import Genre, Movie
from ..services.movies import MovieService
from ..services.writer import CatalogWriter
from .models import SyncState
from .movies import MovieSyncer
from .runner import SyncRun
from .summary import Outcome

LISTS = ("popular", "top_rated", "now_playing", "upcoming", "trending")
TRENDING_WINDOWS = ("day", "week")
CHANGES_WINDOW_DAYS = 14
CHANGES_STATE = "sync_changes"
HELD_CHUNK = 500


# --- genres ------------------------------------------------------------------------------------
def sync_genres(run: SyncRun) -> None:
    """TMDb's movie genre list, upserted by tmdb_id (renames included)."""
    language = settings.TMDB_DEFAULT_LANGUAGE
    try:
        payload = run.tmdb.genres(language=language, policy=Policy.BATCH)
    except TMDbUnauthorized:
        raise
    except TMDbError as exc:
        run.upstream_failed(f"genre list: failed ({exc})")
        return
    items = [
        g
        for g in payload.get("genres") or []
        if isinstance(g, dict) and isinstance(g.get("id"), int) and g.get("name")
    ]
    run.progress.grow(len(items))
    stored = {genre.tmdb_id: genre for genre in Genre.objects.filter(tmdb_id__in=[g["id"] for g in items])}
    outcomes = [_genre_outcome(stored.get(item["id"]), item) for item in items]
    if not run.dry_run and any(outcome != Outcome.UNCHANGED for outcome in outcomes):
        CatalogWriter().store_genres(items)  # renames and re-activations, invalidated after commit
    for item, outcome in zip(items, outcomes, strict=True):
        run.summary.count(outcome)
        run.progress.advance(f"{item['name']} {outcome}")


def _genre_outcome(genre: Genre | None, item: dict) -> Outcome:
    if genre is None:
        return Outcome.CREATED
    if genre.name != item["name"][:100] or not genre.is_active:
        return Outcome.UPDATED
    return Outcome.UNCHANGED


# --- lists and ids -----------------------------------------------------------------------------
def sync_movies(run: SyncRun, *, list_name: str, pages: int, window: str = "day") -> None:
    """The movies on the first `pages` pages of a TMDb list, each synced in full."""
    ids: list[int] = []
    read: list[tuple[int, dict]] = []
    syncer = MovieSyncer(run)
    for page in range(1, pages + 1):
        syncer.pacer.wait()  # pages and details share one evenly spaced budget (no burst, no 429)
        try:
            payload = _list_page(run, list_name, page, window)
        except TMDbUnauthorized:
            raise
        except TMDbBadRequest:
            break  # past TMDb's last page
        except TMDbError as exc:
            run.upstream_failed(f"{list_name} page {page}: failed ({exc}); later pages skipped")
            break
        read.append((page, payload))
        ids.extend(item["id"] for item in parse.page_results(payload))
        total_pages, _ = parse.page_totals(payload)
        if page >= total_pages:
            break
    syncer.sync_ids(ids)
    if not run.dry_run:
        # Readers are served these pages from now on (their movies now synced in full): the order
        # follows TMDb as of this run, not the page TTL.
        movies = MovieService(tmdb=run.tmdb, writer=CatalogWriter.for_client(run.tmdb))
        movies.remember_list_pages(kind=_page_kind(list_name, window), pages=read)


def _page_kind(list_name: str, window: str) -> str:
    return f"trending_{window}" if list_name == "trending" else list_name


def _list_page(run: SyncRun, list_name: str, page: int, window: str) -> dict:
    # Straight from TMDb: a sync must see TMDb's current pages, never the interactive cache.
    if list_name == "trending":
        return run.tmdb.trending(window=window, page=page, policy=Policy.BATCH)
    return run.tmdb.movie_list(list_name, page=page, policy=Policy.BATCH)


def sync_movie(run: SyncRun, *, tmdb_ids: list[int]) -> None:
    MovieSyncer(run).sync_ids(tmdb_ids)


# --- changes -----------------------------------------------------------------------------------
# TMDb serves no page past 500 (of 100 changes each); a window listing more is cut in halves.
CHANGES_MAX_PAGE = 500


class _WindowTooLarge(Exception):
    """A window lists more pages than TMDb serves; it is cut in two and read again."""


def change_windows(start: date, end: date, days: int = CHANGES_WINDOW_DAYS) -> Iterator[tuple[date, date]]:
    """[start, end] cut into consecutive windows of at most `days` days (TMDb's limit is 14)."""
    while True:
        stop = min(start + timedelta(days=days), end)
        yield start, stop
        if stop >= end:
            return
        start = stop


def split_window(start: date, end: date) -> list[tuple[date, date]]:
    """Two halves sharing their middle day, as consecutive windows share their ends (at least 2 days)."""
    middle = start + timedelta(days=(end - start).days // 2)
    return [(start, middle), (middle, end)]


def changes_start(since: date | None) -> date:
    """--since, else the stored point of the last completed run, else SYNC_CHANGES_DEFAULT_DAYS back."""
    if since is not None:
        return since
    state = SyncState.objects.filter(name=CHANGES_STATE).first()
    if state is not None and state.last_completed_at is not None:
        return state.last_completed_at.date()
    return timezone.now().date() - timedelta(days=settings.SYNC_CHANGES_DEFAULT_DAYS)


def sync_changes(run: SyncRun, *, since: date | None = None) -> None:
    """TMDb /movie/changes from the start point to today however long the gap, window by window; only
    movies we hold are refetched, each once per run; the point is saved after each window."""
    started = timezone.now()
    today = started.date()
    start = changes_start(since)
    if start > today:
        run.note(f"nothing to do: the start {start} is in the future")
        return
    windows = deque(change_windows(start, today))
    syncer, synced = MovieSyncer(run), set()
    while windows:
        window_start, window_end = windows.popleft()
        try:
            ids = _changed_ids(run, window_start, window_end)
        except _WindowTooLarge:
            windows.extendleft(reversed(split_window(window_start, window_end)))
            continue
        if ids is None:
            return  # a page failed: the stored point stays where it was
        held = [tmdb_id for tmdb_id in _held_ids(ids) if tmdb_id not in synced]
        run.note(f"changes {window_start}..{window_end}: {len(ids)} changed on TMDb, {len(held)} to refetch")
        syncer.sync_ids(held)
        synced.update(held)
        _save_point(run, window_end, started)


def _changed_ids(run: SyncRun, start: date, end: date) -> list[int] | None:
    """Every id the window lists, or None when a page failed. A window of two days or more that lists
    more than TMDb's last page raises _WindowTooLarge; a shorter one is read to that page and says so."""
    ids: list[int] = []
    page = 1
    while True:
        payload = _changes_page(run, start, end, page)
        if payload is None:
            return None
        ids.extend(item["id"] for item in parse.page_results(payload))
        listed = _listed_pages(payload)
        if page == 1 and listed > CHANGES_MAX_PAGE:
            if (end - start).days >= 2:
                raise _WindowTooLarge
            run.note(
                f"changes {start}..{end}: {listed} pages listed, TMDb serves {CHANGES_MAX_PAGE}; "
                "the movies on later pages are left to refresh_stale"
            )
        if page >= min(listed, CHANGES_MAX_PAGE):
            return list(dict.fromkeys(ids))
        page += 1
        run.renew_lock()


def _changes_page(run: SyncRun, start: date, end: date, page: int) -> dict | None:
    try:
        return run.tmdb.changes(start_date=start.isoformat(), end_date=end.isoformat(), page=page)
    except TMDbUnauthorized:
        raise
    except TMDbError as exc:
        run.upstream_failed(f"changes {start}..{end} page {page}: failed ({exc}); will resume from {start}")
        return None


def _listed_pages(payload: dict) -> int:
    """total_pages as TMDb sent it (parse.page_totals caps it at 500, which would hide a cut listing)."""
    total = payload.get("total_pages")
    return total if isinstance(total, int) and not isinstance(total, bool) and total > 0 else 1


def _held_ids(ids: list[int]) -> list[int]:
    held: list[int] = []
    for offset in range(0, len(ids), HELD_CHUNK):
        chunk = ids[offset : offset + HELD_CHUNK]
        held.extend(
            Movie.objects.filter(tmdb_id__in=chunk).order_by("tmdb_id").values_list("tmdb_id", flat=True)
        )
    return held


def _save_point(run: SyncRun, window_end: date, started: datetime) -> None:
    if run.dry_run:
        return
    point = started if window_end == started.date() else datetime.combine(window_end, time.min, tzinfo=UTC)
    SyncState.objects.update_or_create(
        name=CHANGES_STATE,
        defaults={
            "last_completed_at": point,
            "last_run_started_at": started,
            "last_run_finished_at": timezone.now(),
        },
    )


# --- stale movies ------------------------------------------------------------------------------
def stale_queryset(*, older_than: timedelta, now: datetime | None = None) -> QuerySet:
    """Never synced in full, synced before the cutoff, or failed and due for a retry; and movies TMDb
    reported gone, checked again once per `older_than` (restored when back). The gauge counts it."""
    now = now or timezone.now()
    due = Q(next_sync_attempt_at__isnull=True) | Q(next_sync_attempt_at__lte=now)
    stale = (
        Q(last_synced_at__isnull=True)
        | Q(last_synced_at__lt=now - older_than)
        | Q(sync_status__in=[SyncStatus.FAILED, SyncStatus.PENDING, SyncStatus.PARTIAL])
    )
    gone = Q(sync_status=SyncStatus.GONE) & (
        Q(last_synced_at__isnull=True) | Q(last_synced_at__lt=now - older_than)
    )
    shown = Q(is_active=True) & ~Q(sync_status=SyncStatus.GONE) & stale & due
    return Movie.objects.filter(shown | gone)


def stale_movies(*, older_than: timedelta, limit: int) -> list[int]:
    """Oldest first (see `stale_queryset`)."""
    queryset = stale_queryset(older_than=older_than).order_by(
        F("last_synced_at").asc(nulls_first=True), "tmdb_id"
    )
    return list(queryset.values_list("tmdb_id", flat=True)[:limit])


def refresh_stale(run: SyncRun, *, older_than: timedelta, limit: int) -> None:
    ids = stale_movies(older_than=older_than, limit=limit)
    run.note(f"{len(ids)} stale movie(s) selected (older than {older_than}, limit {limit})")
    MovieSyncer(run, touch_unchanged=True).sync_ids(ids)


# --- cache warming -----------------------------------------------------------------------------
def warm_cache(run: SyncRun) -> None:
    """Render the hot anonymous catalog responses once, through the whole stack, so caches hold them."""
    from .warming import warm

    warm(run)
