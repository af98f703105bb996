"""Imports of a user's movie life from Letterboxd, IMDb, Trakt or CSV, and exports back out."""
