"""Watched history: per-user viewings of movies with a date, an optional rating and review."""
