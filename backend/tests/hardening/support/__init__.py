"""Helpers shared by the hardening suites and the `make hardening` / `make loadtest` runners."""
