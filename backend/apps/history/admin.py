"""Staff admin for viewings (soft delete: "Mark inactive" / "Restore")."""

from django.contrib import admin

from apps.favorites.admin import UserMovieEntryAdmin

from .models import Viewing


@admin.register(Viewing)
class ViewingAdmin(UserMovieEntryAdmin):
    list_display = ["user", "movie", "watched_on", "rating", "rewatch", "source", "is_active"]
    list_filter = ["is_active", "source", "rewatch"]
    fields = [
        "user",
        "movie",
        "watched_on",
        "rating",
        "rewatch",
        "review",
        "source",
        "is_active",
        "edited_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["source", "edited_at", "created_at", "updated_at"]
    ordering = ["-watched_on", "-id"]
