"""Docker HEALTHCHECK for the web role: GET /health/live with a Host the app accepts."""

import os
import sys
import urllib.request


def main() -> int:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if h != "*"), "localhost")
    # The web server's address (entrypoint.sh web): WEB_BIND, or its old name GUNICORN_BIND.
    bind = os.environ.get("WEB_BIND") or os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000"
    port = bind.rsplit(":", 1)[-1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/health/live", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310 - fixed loopback URL
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
