"""Admin registration for the catalog (the staff-admin issue completes it)."""

from django.contrib import admin, messages

from core.exceptions import APIError

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
    actions = ["sync_from_tmdb"]

    @admin.action(description="Resync selected movies from TMDb")
    def sync_from_tmdb(self, request, queryset):
        from .services import MovieService

        service, done, failed = MovieService(), 0, []
        for tmdb_id in queryset.values_list("tmdb_id", flat=True)[:50]:
            try:
                service.sync_movie_from_tmdb(tmdb_id=tmdb_id)
                done += 1
            except APIError as exc:
                failed.append(f"{tmdb_id}: {exc.detail}")
        self.message_user(request, f"Synced {done} movie(s) from TMDb.", messages.SUCCESS)
        if failed:
            self.message_user(request, "Failed: " + "; ".join(failed), messages.WARNING)
