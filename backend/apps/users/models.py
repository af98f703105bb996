"""User profile models (Profile and preferences arrive with the accounts issue)."""
