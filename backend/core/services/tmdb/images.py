"""Image URLs from TMDb's /configuration (cached ~7 days); the read path never calls TMDb."""

from __future__ import annotations

from django.conf import settings

from core import cache
from core.cache import keys

# TMDb's published sizes, used until /configuration has been fetched once.
DEFAULT_IMAGE_CONFIG = {
    "secure_base_url": "https://image.tmdb.org/t/p/",
    "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
    "backdrop_sizes": ["w300", "w780", "w1280", "original"],
    "profile_sizes": ["w45", "w185", "h632", "original"],
    "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
    "still_sizes": ["w92", "w185", "w300", "original"],
}
DEFAULT_SIZES = {"poster": "w342", "backdrop": "w1280", "profile": "w185", "logo": "w154", "still": "w300"}


def image_config() -> dict:
    """The `images` part of a cached /configuration, else the defaults (never an upstream call)."""
    configuration = cache.get(keys.configuration_key())
    images = configuration.get("images") if isinstance(configuration, dict) else None
    if not images or not images.get("secure_base_url"):
        return {**DEFAULT_IMAGE_CONFIG, "secure_base_url": settings.TMDB_IMAGE_BASE_URL}
    return images


def image_url(path: str | None, kind: str = "poster", size: str | None = None, config: dict | None = None):
    """Absolute URL of an image path in a size TMDb offers; None for an empty path."""
    if not path:
        return None
    config = config or image_config()
    sizes = config.get(f"{kind}_sizes") or DEFAULT_IMAGE_CONFIG[f"{kind}_sizes"]
    wanted = size or DEFAULT_SIZES[kind]
    chosen = wanted if wanted in sizes else sizes[-1]
    base = config.get("secure_base_url") or settings.TMDB_IMAGE_BASE_URL
    return f"{base.rstrip('/')}/{chosen}/{path.lstrip('/')}"


def image_urls(path: str | None, kind: str = "poster", config: dict | None = None) -> dict | None:
    """Every size TMDb offers for this image kind: {size: url}."""
    if not path:
        return None
    config = config or image_config()
    sizes = config.get(f"{kind}_sizes") or DEFAULT_IMAGE_CONFIG[f"{kind}_sizes"]
    return {size: image_url(path, kind, size, config) for size in sizes}
