"""Staff admin for favorites and watchlist entries (soft delete: "Mark inactive" / "Restore")."""

from django.contrib import admin
from django.db.models import Q

from apps.movies.admin_filters import as_tmdb_id
from core.adminsite.mixins import FastChangelistMixin, SoftDeleteActionsMixin

from .models import Favorite, WatchlistItem


class UserMovieEntryAdmin(FastChangelistMixin, SoftDeleteActionsMixin, admin.ModelAdmin):
    list_select_related = ["user", "movie"]
    search_fields = ["user__email", "movie__title", "=movie__tmdb_id"]
    search_help_text = "A user's email, a movie title, or a movie's TMDb id."
    list_filter = ["is_active"]
    autocomplete_fields = ["user", "movie"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(user__email__icontains=term) | Q(movie__title__icontains=term)
        if (tmdb_id := as_tmdb_id(term)) is not None:
            condition |= Q(movie__tmdb_id=tmdb_id)
        return queryset.filter(condition), False


@admin.register(Favorite)
class FavoriteAdmin(UserMovieEntryAdmin):
    list_display = ["user", "movie", "user_rating", "is_active", "created_at"]
    fields = ["user", "movie", "user_rating", "notes", "is_active", "created_at", "updated_at"]


@admin.register(WatchlistItem)
class WatchlistItemAdmin(UserMovieEntryAdmin):
    list_display = ["user", "movie", "is_active", "created_at"]
    fields = ["user", "movie", "notes", "is_active", "created_at", "updated_at"]
