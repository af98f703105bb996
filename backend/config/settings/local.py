"""Settings for a developer's machine: DEBUG on, readable logs, embedded defaults."""

from .base import *  # noqa: F403
from .env import env_bool

# CORE -------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)
