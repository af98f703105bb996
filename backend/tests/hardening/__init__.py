"""Hardening: schema fuzzing, abuse, security and fault tests over the whole API."""
