"""Admin registration for the catalog (the staff-admin issue completes it)."""

from django.contrib import admin

from .models import Genre, Movie


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "tmdb_id", "slug", "is_active"]
    search_fields = ["name"]


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "release_date",
        "tmdb_id",
        "popularity",
        "vote_average",
        "sync_status",
        "is_active",
    ]
    search_fields = ["title", "original_title", "=tmdb_id", "=imdb_id"]
    list_filter = ["sync_status", "is_active", "adult"]
