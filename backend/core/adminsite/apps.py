"""Installs MovieNexusAdminSite as the default `admin.site` (replaces "django.contrib.admin")."""

from django.contrib.admin.apps import AdminConfig


class MovieNexusAdminConfig(AdminConfig):
    default_site = "core.adminsite.sites.MovieNexusAdminSite"
