"""Staff admin for profiles: a page of their own, and an inline on the user page."""

from django.contrib import admin
from django.db import models

from core.adminsite.mixins import FastChangelistMixin

from .models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0
    max_num = 1
    fields = ["display_name", "avatar_url", "bio", "language", "region", "include_adult", "favorite_genres"]
    filter_horizontal = ["favorite_genres"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Profile)
class ProfileAdmin(FastChangelistMixin, admin.ModelAdmin):
    list_display = ["user", "display_name", "language", "region", "include_adult", "is_active", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "display_name"]
    list_filter = ["include_adult", "is_active"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["favorite_genres"]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    ordering = ["-id"]
