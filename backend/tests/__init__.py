"""Cross-cutting test suites that exercise the whole project (not one app)."""
