"""Installs MovieNexusAdminSite as the default `admin.site`, and names django.contrib.auth for what it holds here."""

from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.apps import AuthConfig


class MovieNexusAdminConfig(AdminConfig):
    default_site = "core.adminsite.sites.MovieNexusAdminSite"


class PermissionsConfig(AuthConfig):
    """django.contrib.auth (label "auth"), which holds only Groups in this admin: users live in
    "Accounts and sign-in", so "Authentication and Authorization" would name the wrong thing."""

    verbose_name = "Permissions"
