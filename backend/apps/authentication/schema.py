"""OpenAPI: SessionJWTAuthentication is documented as the bearer JWT scheme (jwtAuth)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class SessionJWTScheme(SimpleJWTScheme):
    target_class = "apps.authentication.authentication.SessionJWTAuthentication"
