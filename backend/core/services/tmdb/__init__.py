"""The shared TMDb client: transport (base), endpoints (client), payload parsing (movies), images, errors."""

from .client import Policy, TMDbClient, get_client
from .errors import (
    TMDbBadRequest,
    TMDbError,
    TMDbNotConfigured,
    TMDbNotFound,
    TMDbRateLimited,
    TMDbUnauthorized,
    TMDbUnavailable,
)

__all__ = [
    "Policy",
    "TMDbBadRequest",
    "TMDbClient",
    "TMDbError",
    "TMDbNotConfigured",
    "TMDbNotFound",
    "TMDbRateLimited",
    "TMDbUnauthorized",
    "TMDbUnavailable",
    "get_client",
]
