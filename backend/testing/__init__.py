"""Test doubles and bench helpers; production packages never import this package (a test checks)."""
