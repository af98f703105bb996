"""Settings for a developer's machine: DEBUG on, readable logs, embedded defaults."""

from .base import *  # noqa: F403
from .base import LOCAL_SECRET_KEY_FILE, SECRET_KEY, SIMPLE_JWT, jwt_signing_key
from .env import env_bool, local_secret

# CORE -------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)
if not SECRET_KEY:
    # Nothing set: a random key made on the first start and kept in an ignored file, so sessions
    # and tokens survive restarts and no key is committed.
    SECRET_KEY = local_secret(LOCAL_SECRET_KEY_FILE)
    SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": jwt_signing_key(SECRET_KEY)}

# CORS -------------------------------------------------------------------------
# A frontend on any local port (Next.js on 3000, Vite on 5173, …) at localhost or 127.0.0.1, on
# top of CORS_ALLOWED_ORIGINS. Production allows exactly CORS_ALLOWED_ORIGINS.
CORS_ALLOWED_ORIGIN_REGEXES = [r"^http://(localhost|127\.0\.0\.1)(:\d{1,5})?$"]
