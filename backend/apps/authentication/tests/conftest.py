"""Fixtures for the authentication tests."""

from .fixtures import *  # noqa: F403
