"""Reusable model behaviours."""
