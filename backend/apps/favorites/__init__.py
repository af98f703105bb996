"""Favorites and the watchlist."""
