"""Clients for external services (TMDb)."""
