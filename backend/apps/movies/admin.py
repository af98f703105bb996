"""Staff admin for the catalog: movies (resync, soft delete, cache invalidation), genres, recommendations."""

import logging
import re

from celery.result import EagerResult
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from kombu.exceptions import OperationalError as BrokerError

from core.adminsite.mixins import FastChangelistMixin, SoftDeleteActionsMixin, chunked

from . import admin_actions, tasks
from .admin_filters import (
    GenreFilter,
    LanguageFilter,
    ReleaseDecadeFilter,
    StatusFilter,
    as_tmdb_id,
    genre_movie_counts,
)
from .models import Genre, Movie, MovieGenre, MovieRecommendation
from .services.writer import CatalogWriter

logger = logging.getLogger(__name__)
IMDB_ID_PATTERN = re.compile(r"^tt\d+$", re.IGNORECASE | re.ASCII)
SYNC_FIELDS = ("sync_status", "last_synced_at", "sync_retries", "last_sync_error")


class MovieGenreInline(admin.TabularInline):
    model = MovieGenre
    extra = 0
    autocomplete_fields = ["genre"]
    fields = ["genre", "position", "is_primary"]
    ordering = ["position", "id"]
    verbose_name = "genre"
    verbose_name_plural = "genres"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("movie", "genre")


class OutgoingRecommendationInline(admin.TabularInline):
    """The movies TMDb recommends or finds similar, read-only (the sync owns them), one query."""

    model = MovieRecommendation
    fk_name = "source_movie"
    fields = ["recommended_movie_link", "recommendation_type", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "related movie (from TMDb)"
    verbose_name_plural = "related movies (from TMDb)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source_movie", "recommended_movie")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="movie")
    def recommended_movie_link(self, obj: MovieRecommendation):
        url = reverse("admin:movies_movie_change", args=[obj.recommended_movie_id])
        return format_html('<a href="{}">{}</a>', url, obj.recommended_movie)


@admin.register(Movie)
class MovieAdmin(FastChangelistMixin, SoftDeleteActionsMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "year",
        "tmdb_id",
        "popularity",
        "vote_average",
        "sync_status",
        "last_synced_at",
        "is_active",
    ]
    list_display_links = ["title"]
    search_fields = ["title", "original_title", "=tmdb_id", "=imdb_id"]
    search_help_text = "Title or original title (contains), a TMDb id, or an IMDb id (tt…)."
    list_filter = [
        GenreFilter,
        StatusFilter,
        "sync_status",
        LanguageFilter,
        "adult",
        "is_active",
        ReleaseDecadeFilter,
    ]
    inlines = [MovieGenreInline, OutgoingRecommendationInline]
    readonly_fields = [*SYNC_FIELDS, "poster_preview", "public_api_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["tmdb_id", "imdb_id", "title", "original_title", "tagline", "overview"]}),
        ("Poster and links", {"fields": ["poster_preview", "poster_path", "backdrop_path", "homepage"]}),
        (
            "Facts",
            {
                "fields": [
                    "release_date",
                    "status",
                    "original_language",
                    "runtime",
                    "budget",
                    "revenue",
                    "adult",
                    "is_active",
                ]
            },
        ),
        ("TMDb figures", {"fields": ["popularity", "vote_average", "vote_count"]}),
        ("Sync", {"fields": [*SYNC_FIELDS, "public_api_link", "created_at", "updated_at"]}),
        ("Metadata (credits, videos, keywords)", {"classes": ["collapse"], "fields": ["metadata"]}),
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["resync_from_tmdb", "mark_inactive", "restore", "invalidate_caches"]
    soft_delete_key_field = "tmdb_id"
    changelist_defer = ("metadata", "overview", "tagline")

    # Reads ----------------------------------------------------------------------------------
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "tmdb_id"] if obj is not None else fields

    def get_search_results(self, request, queryset, search_term):
        """Digits also match a TMDb id exactly, `tt…` an IMDb id; words match titles (contains)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if IMDB_ID_PATTERN.match(term):  # stored as TMDb gives them: lowercase "tt…" (indexed)
            return queryset.filter(imdb_id=term.lower()), False
        condition = Q(title__icontains=term) | Q(original_title__icontains=term)
        if (tmdb_id := as_tmdb_id(term)) is not None:
            condition |= Q(tmdb_id=tmdb_id)
        return queryset.filter(condition), False

    def has_delete_permission(self, request, obj=None):
        """Movies are soft-deleted ("Mark inactive"); erasing one (and its favorites) is for superusers."""
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def view_on_site(self, obj: Movie) -> str:
        return reverse("movies:movie-detail", kwargs={"tmdb_id": obj.tmdb_id})

    # Columns and read-only fields ----------------------------------------------------------------
    @admin.display(description="year", ordering="release_date")
    def year(self, obj: Movie):
        return obj.release_date.year if obj.release_date else None

    @admin.display(description="poster")
    def poster_preview(self, obj: Movie):
        if not obj.poster_path:
            return "—"
        base = settings.TMDB_IMAGE_BASE_URL.rstrip("/")
        url = f"{base}/{settings.ADMIN_POSTER_SIZE}/{obj.poster_path.lstrip('/')}"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="Poster of {}" '
            'style="max-height: 240px; border-radius: 4px"></a>',
            url,
            url,
            obj.title,
        )

    @admin.display(description="public API")
    def public_api_link(self, obj: Movie):
        if obj.pk is None:
            return "—"
        url = self.view_on_site(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    # Actions --------------------------------------------------------------------------------
    @admin.action(description="Resync selected movies from TMDb", permissions=["change"])
    def resync_from_tmdb(self, request: HttpRequest, queryset: QuerySet) -> None:
        tmdb_ids = list(queryset.values_list("tmdb_id", flat=True))
        logger.info("admin resync of %d movie(s) by %s", len(tmdb_ids), request.user.get_username())
        if len(tmdb_ids) <= settings.ADMIN_RESYNC_INLINE_LIMIT:
            self._resync_inline(request, tmdb_ids)
        else:
            self._resync_in_background(request, tmdb_ids)

    def _resync_inline(self, request: HttpRequest, tmdb_ids: list[int]) -> None:
        outcome = admin_actions.resync_movies(tmdb_ids)
        if outcome.succeeded:
            self.message_user(
                request, f"Resynced {len(outcome.succeeded)} movie(s) from TMDb.", messages.SUCCESS
            )
        if outcome.failed:
            details = "; ".join(f"{tmdb_id}: {error}" for tmdb_id, error in outcome.failed.items())
            self.message_user(
                request, f"{len(outcome.failed)} movie(s) failed to resync — {details}", messages.ERROR
            )

    def _resync_in_background(self, request: HttpRequest, tmdb_ids: list[int]) -> None:
        try:
            results = [
                tasks.resync_movies.delay(chunk)
                for chunk in chunked(tmdb_ids, admin_actions.RESYNC_TASK_CHUNK)
            ]
        except BrokerError as exc:
            self.message_user(request, f"Could not queue the resync: {exc}", messages.ERROR)
            return
        if all(isinstance(result, EagerResult) for result in results):  # eager Celery: already done
            finished = [result.get() for result in results]
            succeeded = sum(counts["succeeded"] for counts in finished)
            failed = sum(counts["failed"] for counts in finished)
            level = messages.SUCCESS if not failed else messages.WARNING
            self.message_user(request, f"Resync finished: {succeeded} succeeded, {failed} failed.", level)
            return
        self.message_user(
            request,
            f"Queued a background resync of {len(tmdb_ids)} movies in {len(results)} task(s). "
            "Each movie's sync status and last-synced time show the outcome; the worker logs "
            "the succeeded/failed counts.",
            messages.INFO,
        )

    @admin.action(description="Invalidate cached API responses for selected movies", permissions=["change"])
    def invalidate_caches(self, request: HttpRequest, queryset: QuerySet) -> None:
        tmdb_ids = list(queryset.values_list("tmdb_id", flat=True))
        admin_actions.invalidate_movie_caches(tmdb_ids)
        logger.info(
            "admin cache invalidation for %d movie(s) by %s", len(tmdb_ids), request.user.get_username()
        )
        self.message_user(request, f"Invalidated cached responses for {len(tmdb_ids)} movie(s).")

    # Writes go through the catalog writer, which invalidates what they change after commit.
    def write_active(self, model, keys: list, *, active: bool) -> None:
        CatalogWriter().set_active(keys, active=active)

    def save_model(self, request, obj, form, change):
        CatalogWriter().save_edited(obj)

    def save_formset(self, request, form, formset, change):
        CatalogWriter().save_edited_links(form.instance, formset)

    def delete_model(self, request, obj):
        CatalogWriter().delete_edited(obj)


@admin.register(Genre)
class GenreAdmin(FastChangelistMixin, SoftDeleteActionsMixin, admin.ModelAdmin):
    list_display = ["name", "tmdb_id", "slug", "movie_count", "is_active"]
    search_fields = ["name", "slug", "=tmdb_id"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description="movies")
    def movie_count(self, obj: Genre) -> int:
        """From one cached GROUP BY over the genre index for the whole page (no per-row query)."""
        return genre_movie_counts().get(obj.pk, 0)

    def write_active(self, model, keys: list, *, active: bool) -> None:
        CatalogWriter().set_genres_active(keys, active=active)

    def save_model(self, request, obj, form, change):
        CatalogWriter().save_edited(obj)

    def delete_model(self, request, obj):
        CatalogWriter().delete_edited(obj)


@admin.register(MovieRecommendation)
class MovieRecommendationAdmin(FastChangelistMixin, admin.ModelAdmin):
    list_display = ["source_movie", "recommended_movie", "recommendation_type", "score", "updated_at"]
    list_select_related = ["source_movie", "recommended_movie"]
    list_filter = ["recommendation_type"]
    search_fields = ["=source_movie__tmdb_id", "=recommended_movie__tmdb_id", "source_movie__title"]
    search_help_text = "A source or recommended movie's TMDb id, or the source movie's title."
    autocomplete_fields = ["source_movie", "recommended_movie"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        CatalogWriter().save_edited(obj)

    def delete_model(self, request, obj):
        CatalogWriter().delete_edited(obj)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(source_movie__title__icontains=term)
        if (tmdb_id := as_tmdb_id(term)) is not None:
            condition |= Q(source_movie__tmdb_id=tmdb_id) | Q(recommended_movie__tmdb_id=tmdb_id)
        return queryset.filter(condition), False
