"""Fixtures for the users tests (the account fixtures live with authentication)."""

from apps.authentication.tests.fixtures import *  # noqa: F403
