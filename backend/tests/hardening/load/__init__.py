"""Load test scenarios (locust) for `make loadtest`."""
