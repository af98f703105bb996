"""Django apps of Movie Nexus."""
