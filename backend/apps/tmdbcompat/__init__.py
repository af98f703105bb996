"""A TMDb-v3-compatible read API served from the mirror (docs/tmdb-compat.md)."""
