"""Production settings: refuse insecure values, JSON logs, hardened HTTP."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SIMPLE_JWT, build_logging
from .env import env_bool, env_int, env_list, env_str

# CORE -------------------------------------------------------------------------
if env_bool("DEBUG", False):
    raise ImproperlyConfigured("DEBUG must be off in production.")
DEBUG = False

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters.")
if SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY looks like a default or placeholder; generate one.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this site serves.")

JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY")
if not JWT_SIGNING_KEY or JWT_SIGNING_KEY == SECRET_KEY or len(JWT_SIGNING_KEY) < 32:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be set, 32+ characters, and differ from SECRET_KEY.")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY}

# SECURITY ---------------------------------------------------------------------
# TLS terminates at nginx, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Health checks come from the orchestrator over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# CORS -------------------------------------------------------------------------
# Exactly the origins in CORS_ALLOWED_ORIGINS (default FRONTEND_URL): no patterns, no wildcard.
CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOWED_ORIGIN_REGEXES: list[str] = []

# LOGGING ----------------------------------------------------------------------
LOGGING = build_logging(env_str("LOG_FORMAT", "json"), env_str("LOG_LEVEL", "INFO").upper())
