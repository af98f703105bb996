"""The TMDb double for the bench, when the build has one (testing.tmdb.double); else none.

With a double, every upstream call the servers make lands here and is counted; without one,
TMDB_BASE_URL points at a closed port and calls are counted by the app's own metrics hook.
"""

import contextlib
import os


class Upstream:
    """The upstream the servers talk to, and how many requests it has received."""

    def __init__(self, double=None, api_key: str = ""):
        self.double = double
        self.api_key = api_key

    @property
    def present(self) -> bool:
        return self.double is not None

    @property
    def base_url(self) -> str:
        url = self.double.base_url
        return url() if callable(url) else url

    def requests(self) -> int | None:
        if self.double is None:
            return None
        count = self.double.request_count
        return count() if callable(count) else count

    def stop(self) -> None:
        if self.double is not None:
            with contextlib.suppress(Exception):
                self.double.stop()


def start(movies: list[dict]) -> Upstream:
    """The double, holding `movies` (the catalog's most popular, with their stored list values)."""
    try:
        from testing.tmdb.double import API_KEY, TMDbDouble
    except ImportError:
        return Upstream()
    from .servers import free_port

    double = TMDbDouble().start(port=free_port() if os.environ.get("FREE_PORT_RANGE") else 0)
    _seed(double, movies[:500])
    return Upstream(double, API_KEY)


def _seed(double, movies: list[dict]) -> None:
    """The same movies as the local catalog, with the values the catalog stores (so a list or a
    search read from TMDb finds nothing to change in the rows), and the lists TMDb serves (best
    effort: the double's seeding API belongs to the catalog code and may differ)."""
    ids = [movie["tmdb_id"] for movie in movies]
    with contextlib.suppress(AttributeError, TypeError, ValueError, KeyError):
        for movie in movies:
            values = {key: value for key, value in movie.items() if key != "tmdb_id"}
            double.add_movie(movie["tmdb_id"], **values)
        for name in ("popular", "top_rated", "now_playing", "upcoming", "trending"):
            with contextlib.suppress(AttributeError, TypeError, ValueError, KeyError):
                double.set_list(name, ids[:100])
