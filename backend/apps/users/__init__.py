"""User profiles and preferences."""
