"""Favorite and watchlist models (arrive with the favorites issue)."""
