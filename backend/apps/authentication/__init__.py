"""User accounts: the custom user model, JWT sessions and verification."""
