"""Settings shared by every environment; everything comes from the environment."""

import hashlib
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from .env import env_bool, env_float, env_int, env_list, env_str

# PATHS ------------------------------------------------------------------------
BACKEND_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = BACKEND_DIR.parent

# CORE -------------------------------------------------------------------------
# From the environment only. local.py falls back to a random key kept in an ignored file;
# production.py refuses a missing or weak one.
SECRET_KEY = env_str("SECRET_KEY")
LOCAL_SECRET_KEY_FILE = BASE_DIR / ".secret_key"
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "authentication.User"

# APPS -------------------------------------------------------------------------
DJANGO_APPS = [
    "core.adminsite.apps.MovieNexusAdminConfig",  # django.contrib.admin with the staff site
    "core.adminsite.apps.PermissionsConfig",  # django.contrib.auth, shown as "Permissions"
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = [
    "core",
    "apps.authentication",
    "apps.users",
    "apps.movies",
    "apps.favorites",
    "apps.tmdbcompat",
    "apps.history",
    "apps.imports",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# MIDDLEWARE -------------------------------------------------------------------
MIDDLEWARE = [
    "core.metrics.MetricsMiddleware",
    "core.middleware.RequestIDMiddleware",
    "core.middleware.BodySizeLimitMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.AdminMessageMiddleware",  # django.contrib.messages, for the admin only
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.APIErrorEnvelopeMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BACKEND_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE ---------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (psycopg 3); unset means the embedded SQLite file.
DATABASE_URL = env_str("DATABASE_URL")
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60)
DB_POOL = env_bool("DB_POOL", False)


def _database_config() -> dict:
    if not DATABASE_URL:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH") or str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    config = dj_database_url.parse(
        DATABASE_URL, conn_max_age=0 if DB_POOL else DB_CONN_MAX_AGE, conn_health_checks=True
    )
    if config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
        statement_timeout = env_int("DB_STATEMENT_TIMEOUT_MS", 0)
        if statement_timeout > 0:
            # PostgreSQL cancels a statement running longer (the request then gets a 503). Set for
            # the web role by docker/entrypoint.sh; 0 (no limit) elsewhere: migrations, syncs.
            given = options.get("options", "")
            options["options"] = f"{given} -c statement_timeout={statement_timeout}".strip()
        if DB_POOL:
            # psycopg 3's pool (Django 5.1+); persistent connections must then be off.
            options["pool"] = {
                "min_size": env_int("DB_POOL_MIN_SIZE", 2),
                "max_size": env_int("DB_POOL_MAX_SIZE", 10),
                "timeout": env_int("DB_POOL_TIMEOUT", 10),
            }
    return config


DATABASES = {"default": _database_config()}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# CACHE ------------------------------------------------------------------------
# REDIS_URL selects Redis (django-redis + hiredis); unset means local memory.
REDIS_URL = env_str("REDIS_URL")
# Short socket timeouts: a dead or hung Redis costs tens of milliseconds, never a hang.
REDIS_SOCKET_CONNECT_TIMEOUT = env_float("REDIS_SOCKET_CONNECT_TIMEOUT", 0.05)
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 0.05)
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "mnx")


def _cache_config() -> dict:
    if not REDIS_URL:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "movie-nexus",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    return {
        # django-redis behind a circuit breaker (core/cache/backends.py).
        "BACKEND": "core.cache.backends.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "PARSER_CLASS": "redis.connection._HiredisParser",
            "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_CONNECT_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "CONNECTION_POOL_KWARGS": {"max_connections": env_int("REDIS_MAX_CONNECTIONS", 50)},
        },
    }


CACHES = {"default": _cache_config()}
USING_REDIS = bool(REDIS_URL)
# A cache failure degrades to the database; it never fails a request.
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "core.cache"

# CACHING ----------------------------------------------------------------------
# Levels, TTLs, stampede protection and the Redis breaker: see docs/caching.md.
CACHE_ENABLED = env_bool("CACHE_ENABLED", True)
CACHE_L1_TTL = env_float("CACHE_L1_TTL", 3.0)  # staleness bound of unversioned L1 values
# How long a process reuses a catalog namespace version read from Redis: the bound on how long a
# catalog write made by another process can go unseen here (0 = read Redis on every request).
# Per-user data (favorites stats, recommendations) always reads Redis.
CACHE_NAMESPACE_L1_TTL = env_float("CACHE_NAMESPACE_L1_TTL", 1.0)
CACHE_L1_MAX_ENTRIES = env_int("CACHE_L1_MAX_ENTRIES", 1024)
CACHE_L1_MAX_ITEM_BYTES = env_int("CACHE_L1_MAX_ITEM_BYTES", 256 * 1024)
CACHE_TTL_JITTER = env_float("CACHE_TTL_JITTER", 0.1)
CACHE_LOCK_TIMEOUT = env_int("CACHE_LOCK_TIMEOUT", 10)
CACHE_WAIT_TIMEOUT = env_float("CACHE_WAIT_TIMEOUT", 0.5)
CACHE_BREAKER_THRESHOLD = env_int("CACHE_BREAKER_THRESHOLD", 3)
CACHE_BREAKER_COOLDOWN = env_float("CACHE_BREAKER_COOLDOWN", 5.0)
CACHE_TTL_VIEW_LIST = env_int("CACHE_TTL_VIEW_LIST", 600)
CACHE_TTL_VIEW_DETAIL = env_int("CACHE_TTL_VIEW_DETAIL", 3600)
CACHE_TTL_VIEW_NEGATIVE = env_int("CACHE_TTL_VIEW_NEGATIVE", 30)
# An answer known to be less than the real one (TMDb down: the local fallback; genres unknown):
# cached this long at every level, so it does not outlive the outage.
CACHE_TTL_DEGRADED = env_int("CACHE_TTL_DEGRADED", 10)
CACHE_HTTP_MAX_AGE_LIST = env_int("CACHE_HTTP_MAX_AGE_LIST", 60)
CACHE_HTTP_MAX_AGE_DETAIL = env_int("CACHE_HTTP_MAX_AGE_DETAIL", 300)
# /metrics answers a bearer of this token, or a staff user.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# `make bench` only: a bare baseline URL and the X-Cache-Bypass request header. Never in production.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)

# AUTHENTICATION ---------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# INTERNATIONALISATION ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# STATIC -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")

# REQUEST LIMITS ----------------------------------------------------------------
# Bodies larger than this are refused with 413 before any parsing.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# IMPORTS ------------------------------------------------------------------------
# Uploads (POST /api/v1/imports/) are limited separately: the file itself, what a zip may expand
# to (a zip bomb is refused with 413 while reading, never expanded), its number of files, and
# the entries one import may hold. docs/imports.md.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_UNZIPPED_BYTES = env_int("IMPORT_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_ZIP_MEMBERS = env_int("IMPORT_MAX_ZIP_MEMBERS", 64)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
# The body of an upload: the file plus the multipart envelope.
MAX_UPLOAD_BODY_BYTES = IMPORT_MAX_UPLOAD_BYTES + 64 * 1024
UPLOAD_BODY_PATHS = ("/api/v1/imports/",)

# DJANGO REST FRAMEWORK ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt + a check that the token's session (sid claim) is not revoked.
        "apps.authentication.authentication.SessionJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser, hardened: deep nesting and non-finite numbers are 400, not 500.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.EnvelopePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "core.schema.EnvelopeAutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.envelope_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttles.AnonRateThrottle",
        "core.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "600/min"),
        "user": env_str("THROTTLE_USER", "1200/min"),
        # Accounts (abuse resistance): see the ACCOUNTS section below.
        "login_ip": env_str("THROTTLE_LOGIN_IP", "20/min"),
        "login_account": env_str("THROTTLE_LOGIN_ACCOUNT", "10/min"),
        "register": env_str("THROTTLE_REGISTER", "10/hour"),
        "verify_resend": env_str("THROTTLE_VERIFY_RESEND", "5/hour"),
        "password_reset": env_str("THROTTLE_PASSWORD_RESET", "5/hour"),
        "token_refresh": env_str("THROTTLE_TOKEN_REFRESH", "60/min"),
        # Uploads per user (each can mean thousands of TMDb lookups).
        "imports": env_str("THROTTLE_IMPORTS", "10/hour"),
    },
    # Only the proxies may reach the app port: readiness warns when it listens on a public address.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# OPENAPI ----------------------------------------------------------------------
SPECTACULAR_SETTINGS = {
    "TITLE": "Movie Nexus API",
    "DESCRIPTION": (
        "Movie discovery backend mirroring The Movie Database (TMDb). Every JSON "
        "response uses one envelope: success, message, data, errors, meta."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Two choice sets share the field name `source`: a viewing's origin and an import's format.
    "ENUM_NAME_OVERRIDES": {
        "ViewingSourceEnum": "apps.history.models.ViewingSource",
        "ImportSourceEnum": "apps.imports.models.ImportSource",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_envelope_components",
    ],
}


# JWT --------------------------------------------------------------------------
def jwt_signing_key(secret_key: str) -> str:
    """JWT_SIGNING_KEY, else one derived from SECRET_KEY (local and test settings only)."""
    return env_str("JWT_SIGNING_KEY") or hashlib.sha256(f"jwt:{secret_key}".encode()).hexdigest()


SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 14)),
    "ALGORITHM": "HS256",
    # A signing key separate from SECRET_KEY (production.py requires JWT_SIGNING_KEY); local runs
    # derive one from SECRET_KEY so the two are never the same string.
    "SIGNING_KEY": jwt_signing_key(SECRET_KEY),
    "AUDIENCE": env_str("JWT_AUDIENCE", "movie-nexus"),
    "ISSUER": env_str("JWT_ISSUER", "movie-nexus"),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

# ACCOUNTS ---------------------------------------------------------------------
# Sign-in lockout, kept in the database (survives a cache outage): after this many
# attempts within the window the account is locked for LOGIN_LOCKOUT_SECONDS.
LOGIN_LOCKOUT_THRESHOLD = min(env_int("LOGIN_LOCKOUT_THRESHOLD", 5), 10)
LOGIN_LOCKOUT_WINDOW_SECONDS = env_int("LOGIN_LOCKOUT_WINDOW_SECONDS", 15 * 60)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
EMAIL_VERIFICATION_TOKEN_HOURS = env_int("EMAIL_VERIFICATION_TOKEN_HOURS", 24)
PASSWORD_RESET_TOKEN_MINUTES = env_int("PASSWORD_RESET_TOKEN_MINUTES", 60)
# How long "is this session still live?" is cached for access-token checks, and how long a user's
# principal (active, staff, session epoch, preferences) is. Revocation, deactivation, deletion and
# preference changes invalidate both at once; the lifetimes only bound a lost invalidation.
AUTH_SESSION_CACHE_SECONDS = env_int("AUTH_SESSION_CACHE_SECONDS", 300)
AUTH_PRINCIPAL_CACHE_SECONDS = env_int("AUTH_PRINCIPAL_CACHE_SECONDS", 300)
# How long a process trusts its own copy of a verified principal and session while it hears every
# change announced (core.cache.broadcast); past it, or while not heard, it reads Redis again.
AUTH_LOCAL_SECONDS = env_int("AUTH_LOCAL_SECONDS", 60)
# Frontend pages the emails link to (FRONTEND_URL + path + ?token=…).
FRONTEND_VERIFY_EMAIL_PATH = env_str("FRONTEND_VERIFY_EMAIL_PATH", "/verify-email")
FRONTEND_RESET_PASSWORD_PATH = env_str("FRONTEND_RESET_PASSWORD_PATH", "/reset-password")
FRONTEND_LOGIN_PATH = env_str("FRONTEND_LOGIN_PATH", "/login")

# CORS -------------------------------------------------------------------------
FRONTEND_URL = env_str("FRONTEND_URL", "http://localhost:3000")
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [FRONTEND_URL])
CORS_URLS_REGEX = r"^/(api|health)/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["X-Request-ID", "X-Cache", "X-Cache-Level", "ETag", "Retry-After"]
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "if-none-match",
    "x-request-id",
]

# The app server's listen address (docker/entrypoint.sh web; GUNICORN_BIND is its old name).
# Read here only for readiness's exposure warning (core/exposure.py).
WEB_BIND = env_str("WEB_BIND") or env_str("GUNICORN_BIND") or "0.0.0.0:8000"

# CELERY -----------------------------------------------------------------------
# CELERY_BROKER_URL selects a real broker (RabbitMQ or Redis); unset means eager.
# (The host in the in-memory URL only keeps kombu from warning "No hostname was supplied".)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not env_str("CELERY_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The project's own queue (and exchange/routing key), never Celery's shared default "celery": another
# project's worker on the same broker would take these tasks. `make worker` consumes it.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "movie_nexus")
# /health/ready waits this long for workers to answer when it counts them.
HEALTH_WORKERS_TIMEOUT = env_float("HEALTH_WORKERS_TIMEOUT", 0.5)
# The longest a task may run: SoftTimeLimitExceeded inside it, then the hard kill 30 s later
# (prefork pool). The sync jobs take seconds to a few minutes (docs/sync.md).
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 30)
# The Redis broker (compose's) has no acks: a message a worker took and never acked (the worker
# was killed, its container lost) goes back to the queue after visibility_timeout, which kombu
# leaves at 3600 s. It must outlast the longest a worker holds a message unacked: a task's hard
# limit plus the longest retry countdown (apps.movies.tasks.RETRY_BACKOFF_MAX, 300 s), plus a
# minute. Every worker looks for such messages every 10 s. RabbitMQ redelivers at once instead.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 300 + 60),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    # A frozen Redis broker must not hang a publish (an account email's enqueue) or a worker:
    # socket operations give up after this many seconds (the AMQP transport ignores both).
    "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 10),
    "socket_connect_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 10),
}

# IMPORT RECOVERY ----------------------------------------------------------------
# A running import touches its heartbeat every IMPORT_HEARTBEAT_SECONDS. An active import silent
# for IMPORT_STALE_SECONDS lost its worker (killed, OOM, a deploy): it is queued again and resumes
# at its first pending row, at most IMPORT_MAX_RECOVERIES times, then it fails with the reason
# (staff can retry it). The window outlasts the task's hard time limit (Celery kills a run silent
# that long, so a live run is never taken for dead) and the Redis broker's visibility timeout.
# Beat looks every IMPORT_RECOVERY_INTERVAL seconds (cron: `manage.py recover_imports`); the
# progress endpoint and a new upload of the same user look too. docs/imports.md.
IMPORT_HEARTBEAT_SECONDS = env_float("IMPORT_HEARTBEAT_SECONDS", 10.0)
IMPORT_STALE_SECONDS = env_int(
    "IMPORT_STALE_SECONDS",
    max(CELERY_TASK_TIME_LIMIT, CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]) + 60,
)
IMPORT_MAX_RECOVERIES = env_int("IMPORT_MAX_RECOVERIES", 3)
IMPORT_RECOVERY_INTERVAL = env_int("IMPORT_RECOVERY_INTERVAL", 60)
# Title searches one import runs ahead in parallel threads, evenly paced at IMPORT_RATE_SHARE of
# TMDB_RATE_LIMIT (the rest is left to interactive reads; the shared limiter still bounds all).
IMPORT_CONCURRENCY = env_int("IMPORT_CONCURRENCY", 8)
IMPORT_RATE_SHARE = min(1.0, max(0.05, env_float("IMPORT_RATE_SHARE", 0.9)))

# EMAIL ------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Movie Nexus <no-reply@movienexus.local>")
# Account emails go through an outbox table (apps.authentication.services.outbox): a request
# gives the broker this long to take the hand-off, then leaves the committed row to the drain.
EMAIL_ENQUEUE_TIMEOUT = env_float("EMAIL_ENQUEUE_TIMEOUT", 1.0)
EMAIL_OUTBOX_DRAIN_SECONDS = env_int("EMAIL_OUTBOX_DRAIN_SECONDS", 60)
EMAIL_OUTBOX_RETRY_SECONDS = env_int("EMAIL_OUTBOX_RETRY_SECONDS", 60)  # doubles per failed SMTP attempt
EMAIL_OUTBOX_MAX_ATTEMPTS = env_int("EMAIL_OUTBOX_MAX_ATTEMPTS", 8)

# TMDB -------------------------------------------------------------------------
TMDB_API_KEY = env_str("TMDB_API_KEY")
TMDB_READ_ACCESS_TOKEN = env_str("TMDB_READ_ACCESS_TOKEN")
TMDB_BASE_URL = env_str("TMDB_BASE_URL", "https://api.themoviedb.org/3")
TMDB_IMAGE_BASE_URL = env_str("TMDB_IMAGE_BASE_URL", "https://image.tmdb.org/t/p/")
TMDB_DEFAULT_LANGUAGE = env_str("TMDB_DEFAULT_LANGUAGE", "en-US")
# Transport: per-attempt timeouts, retries with jittered exponential backoff, and a total
# time budget per call (retries and Retry-After waits included) so no request hangs on TMDb.
TMDB_CONNECT_TIMEOUT = env_float("TMDB_CONNECT_TIMEOUT", 3.05)
TMDB_READ_TIMEOUT = env_float("TMDB_READ_TIMEOUT", 5.0)
TMDB_MAX_RETRIES = env_int("TMDB_MAX_RETRIES", 3)
TMDB_BACKOFF_BASE = env_float("TMDB_BACKOFF_BASE", 0.5)
TMDB_BACKOFF_MAX = env_float("TMDB_BACKOFF_MAX", 8.0)
TMDB_TIME_BUDGET = env_float("TMDB_TIME_BUDGET", 8.0)
TMDB_POOL_SIZE = env_int("TMDB_POOL_SIZE", 20)
# Client-side token bucket shared by every process through Redis (TMDb allows ~40/s).
TMDB_RATE_LIMIT = env_float("TMDB_RATE_LIMIT", 38.5)
# Interactive TMDb calls one client may cause per minute (an unknown movie, an uncached page):
# anonymous clients by address, signed-in users by id. Past it: 429 with Retry-After. 0: no limit.
TMDB_CLIENT_BUDGET_ANON = env_int("TMDB_CLIENT_BUDGET_ANON", 30)
TMDB_CLIENT_BUDGET_USER = env_int("TMDB_CLIENT_BUDGET_USER", 120)
# After a failed call (retries exhausted) calls fail fast for this many seconds.
TMDB_FAILURE_COOLDOWN = env_float("TMDB_FAILURE_COOLDOWN", 10.0)
# Local "top rated" needs this many votes; now playing = released in the last N days.
CATALOG_TOP_RATED_MIN_VOTES = env_int("CATALOG_TOP_RATED_MIN_VOTES", 200)
CATALOG_NOW_PLAYING_DAYS = env_int("CATALOG_NOW_PLAYING_DAYS", 45)

# TMDB-COMPATIBLE API ----------------------------------------------------------
# TMDb's v3 read API served from the mirror (docs/tmdb-compat.md): the URL prefix it is mounted
# under, and the requests per minute of a key whose own rate limit is 0.
TMDB_COMPAT_PREFIX = env_str("TMDB_COMPAT_PREFIX", "tmdb/3/").strip("/") + "/"
TMDB_COMPAT_DEFAULT_RATE = env_int("TMDB_COMPAT_DEFAULT_RATE", 2400)
# A key's usage counts reach its row every N requests (counted in Redis meanwhile; the admin adds them).
TMDB_COMPAT_USAGE_BATCH = env_int("TMDB_COMPAT_USAGE_BATCH", 500)
# With Redis, each process keeps a key's lookup this many seconds while it hears revocations, and
# counts up to N requests of a key itself before sending them (at most rate/100; near the limit, 1).
TMDB_COMPAT_KEY_L1_TTL = env_float("TMDB_COMPAT_KEY_L1_TTL", 5.0)
TMDB_COMPAT_COUNT_BATCH = env_int("TMDB_COMPAT_COUNT_BATCH", 50)

# ADMIN ------------------------------------------------------------------------
# Admin logins share the API's per-account lockout (LOGIN_LOCKOUT_*); on top, each client IP
# gets this many unsuccessful attempts (across emails) per window before a 429.
ADMIN_LOGIN_MAX_FAILURES_PER_IP = env_int("ADMIN_LOGIN_MAX_FAILURES_PER_IP", 20)
ADMIN_LOGIN_LOCKOUT_SECONDS = env_int("ADMIN_LOGIN_LOCKOUT_SECONDS", 900)
# Changelists count at most this many rows (no full COUNT(*) on big tables); at least 1000,
# so a capped count never allows "Show all" (list_max_show_all is 200).
ADMIN_COUNT_CAP = max(1000, env_int("ADMIN_COUNT_CAP", 10000))
# "Resync from TMDb" runs inline up to this many movies, as a background task beyond.
ADMIN_RESYNC_INLINE_LIMIT = env_int("ADMIN_RESYNC_INLINE_LIMIT", 5)
# Poster size shown on the movie change page (a TMDb /configuration poster size).
ADMIN_POSTER_SIZE = env_str("ADMIN_POSTER_SIZE", "w185")

# SYNC -------------------------------------------------------------------------
# The sync commands and tasks (docs/sync.md). A lock whose holder died expires after
# SYNC_LOCK_TTL seconds; a live holder's heartbeat thread renews it every TTL/3.
SYNC_LOCK_TTL = env_int("SYNC_LOCK_TTL", 60)
# Movie details fetched in parallel by one run (the shared TMDb rate limit still applies).
SYNC_CONCURRENCY = env_int("SYNC_CONCURRENCY", 8)
# On PostgreSQL those threads also write (one connection each); elsewhere one thread writes.
SYNC_PARALLEL_WRITES = env_bool("SYNC_PARALLEL_WRITES", True)
# A failed movie is retried after SYNC_RETRY_BASE_MINUTES * 2**(failures-1), capped.
SYNC_RETRY_BASE_MINUTES = env_int("SYNC_RETRY_BASE_MINUTES", 30)
SYNC_RETRY_MAX_MINUTES = env_int("SYNC_RETRY_MAX_MINUTES", 7 * 24 * 60)
# A movie still rate limited after the client's own retries is tried this many more times.
SYNC_RATE_LIMIT_RETRIES = env_int("SYNC_RATE_LIMIT_RETRIES", 5)
# A run stops early (exit 1) after this many consecutive upstream failures: TMDb is down.
SYNC_ABORT_AFTER_FAILURES = env_int("SYNC_ABORT_AFTER_FAILURES", 20)
# The first `sync_changes` without --since and without a stored point starts this many days back.
SYNC_CHANGES_DEFAULT_DAYS = env_int("SYNC_CHANGES_DEFAULT_DAYS", 1)
# The refresh age: a movie synced longer ago is stale. `refresh_stale` (command, task, beat entry)
# defaults to it, and /metrics counts the rows past it (movie_nexus_catalog_stale_movies).
SYNC_STALE_AFTER_DAYS = env_int("SYNC_STALE_AFTER_DAYS", 7)
# `warm_cache` also renders the details of this many of the most popular movies.
WARM_CACHE_DETAIL_COUNT = env_int("WARM_CACHE_DETAIL_COUNT", 50)

# CELERY BEAT ------------------------------------------------------------------
# The Celery alternative to the crontab in docs/sync.md (same jobs, same times, UTC).
# `expires` drops a run that waited in the queue past its next slot instead of piling them up.
CELERY_BEAT_SCHEDULE = {
    "sync-changes": {
        "task": "movies.sync_changes",
        "schedule": crontab(minute=5),
        "options": {"expires": 55 * 60},
    },
    "sync-trending-day": {
        "task": "movies.sync_movies",
        "schedule": crontab(minute=25),
        "kwargs": {"list_name": "trending", "window": "day", "pages": 2},
        "options": {"expires": 55 * 60},
    },
    "sync-popular": {
        "task": "movies.sync_movies",
        "schedule": crontab(minute=45, hour="*/6"),
        "kwargs": {"list_name": "popular", "pages": 5},
        "options": {"expires": 5 * 60 * 60},
    },
    "sync-now-playing": {
        "task": "movies.sync_movies",
        "schedule": crontab(minute=15, hour=4),
        "kwargs": {"list_name": "now_playing", "pages": 3},
        "options": {"expires": 12 * 60 * 60},
    },
    "sync-upcoming": {
        "task": "movies.sync_movies",
        "schedule": crontab(minute=30, hour=4),
        "kwargs": {"list_name": "upcoming", "pages": 3},
        "options": {"expires": 12 * 60 * 60},
    },
    "sync-top-rated": {
        "task": "movies.sync_movies",
        "schedule": crontab(minute=45, hour=4, day_of_week=0),
        "kwargs": {"list_name": "top_rated", "pages": 5},
        "options": {"expires": 24 * 60 * 60},
    },
    "sync-genres": {
        "task": "movies.sync_genres",
        "schedule": crontab(minute=0, hour=3, day_of_week=1),
        "options": {"expires": 24 * 60 * 60},
    },
    "refresh-stale": {
        "task": "movies.refresh_stale",
        "schedule": crontab(minute=30, hour=2),
        "kwargs": {"older_than_days": SYNC_STALE_AFTER_DAYS, "limit": 1000},
        "options": {"expires": 12 * 60 * 60},
    },
    "warm-cache": {
        "task": "movies.warm_cache",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
}

# LOGGING ----------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT", "text")  # "text" (readable) or "json" (one object a line)


def build_logging(log_format: str, level: str) -> dict:
    formatter = "json" if log_format == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.logging.RequestIDFilter"}},
        "formatters": {
            "text": {
                "format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s",
            },
            "json": {
                "()": "core.logging.JSONFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "django.request": {"level": "ERROR"},
        },
    }


LOGGING = build_logging(LOG_FORMAT, LOG_LEVEL)
