"""Another web process for the revocation tests: admits a key on each "admit" line read, and says
how it went and whether it now holds the key itself (would admit it without a round trip)."""

from __future__ import annotations

import sys

import django


def main(raw: str) -> None:
    django.setup()
    from apps.tmdbcompat.apikeys import ApiKeyService, admission
    from apps.tmdbcompat.errors import TMDbCompatError
    from apps.tmdbcompat.managers import hash_key

    for line in sys.stdin:
        if line.strip() != "admit":
            return
        try:
            ApiKeyService.admit(raw)
            outcome = "admitted"
        except TMDbCompatError as error:
            outcome = f"refused-{error.tmdb_code}"
        held = "held" if admission.holds(hash_key(raw)) else "asks"
        print(outcome, held, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
