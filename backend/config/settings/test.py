"""Settings for the test suite: fast hashing, in-memory email, eager Celery by default."""

from .base import *  # noqa: F403
from .base import CACHES, REST_FRAMEWORK, SIMPLE_JWT, build_logging, jwt_signing_key
from .env import env_bool, env_str

# CORE -------------------------------------------------------------------------
DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": jwt_signing_key(SECRET_KEY)}

# AUTHENTICATION ---------------------------------------------------------------
# Argon2 stays first in production; tests use MD5 only for speed.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

# EMAIL ------------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# CELERY -----------------------------------------------------------------------
# Tasks run in-process unless a test starts a real worker against the broker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)

# CACHE ------------------------------------------------------------------------
# Each test run gets its own key prefix so parallel runs on one Redis never collide.
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "mnx-test")
# The suite shares a busy machine: a slow answer from the shared Redis must not trip the cache's
# circuit breaker mid-test. The cache fault tests use the production 50 ms on their own Redis.
if "SOCKET_TIMEOUT" in CACHES["default"].get("OPTIONS", {}):
    CACHES["default"]["OPTIONS"] |= {"SOCKET_TIMEOUT": 1.0, "SOCKET_CONNECT_TIMEOUT": 1.0}

# DJANGO REST FRAMEWORK ---------------------------------------------------------
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "anon": "100000/min",
        "user": "100000/min",
    },
}

# TMDB -------------------------------------------------------------------------
# No test may reach the internet: the client points at an unroutable default.
TMDB_BASE_URL = "http://127.0.0.1:9/3"
TMDB_API_KEY = ""
TMDB_READ_ACCESS_TOKEN = ""
# Short budgets so failure tests stay fast; no cooldown unless a test asks for it.
TMDB_CONNECT_TIMEOUT = 0.5
TMDB_READ_TIMEOUT = 0.5
TMDB_MAX_RETRIES = 2
TMDB_BACKOFF_BASE = 0.01
TMDB_BACKOFF_MAX = 0.05
TMDB_TIME_BUDGET = 1.5
TMDB_FAILURE_COOLDOWN = 0.0
TMDB_RATE_LIMIT = 1000.0
# Every test is one client (127.0.0.1); the budget tests set their own.
TMDB_CLIENT_BUDGET_ANON = 0
TMDB_CLIENT_BUDGET_USER = 0

# LOGGING ----------------------------------------------------------------------
LOGGING = build_logging("text", "WARNING")

# SYNC -------------------------------------------------------------------------
# Writer threads use their own connections, which commit outside a test's transaction (rows
# would leak into later tests, or wait forever on the test's uncommitted ones). Tests that
# exercise parallel writes turn it on with a transactional database.
SYNC_PARALLEL_WRITES = False
