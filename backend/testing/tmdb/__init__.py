"""A local TMDb double with real response shapes and a realistic generated catalog."""

from .double import API_KEY, READ_ACCESS_TOKEN, TMDbDouble, error_body, list_item, movie_payload

__all__ = ["API_KEY", "READ_ACCESS_TOKEN", "TMDbDouble", "error_body", "list_item", "movie_payload"]
