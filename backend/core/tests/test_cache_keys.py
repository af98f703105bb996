"""Key builders: versioned, canonical, and identical in every process (no salted `hash()`)."""

import os
import subprocess
import sys
from pathlib import Path

from core.cache import keys

BACKEND = Path(__file__).resolve().parents[2]
VIEW_KEY_ARGS = {
    "host": "https://api.example.com",
    "path": "/api/v1/movies/",
    "query": "page=2",
    "language": "fr-FR",
    "region": "",
    "include_adult": False,
    "versions": [17, 42],
}


def test_keys_are_identical_in_another_process_with_another_hash_seed():
    # given
    script = (
        "from core.cache import keys;"
        f"print(keys.view_response(**{VIEW_KEY_ARGS!r}));"
        "print(keys.search_key(params={'query': 'amélie ' * 30, 'page': 1}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(BACKEND)}
    # when
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=30
    )
    # then
    view_key, tmdb_key = result.stdout.split()
    assert view_key == keys.view_response(**VIEW_KEY_ARGS)
    assert tmdb_key == keys.search_key(params={"page": 1, "query": "amélie " * 30})


def test_every_key_carries_the_schema_version():
    assert keys.view_response(**VIEW_KEY_ARGS).startswith(f"{keys.KEY_VERSION}:view2:17.42:")
    assert keys.namespace("catalog").startswith(f"{keys.KEY_VERSION}:ns:")
    assert keys.user_query(7, "favorites-stats", 3) == f"{keys.KEY_VERSION}:query:favorites-stats:u7:n3"


def test_the_query_is_sorted_and_defaults_and_blanks_dropped():
    query = keys.normalize_query(
        [("page_size", "20"), ("genre", "18"), ("page", "1"), ("q", ""), ("genre", "12")],
        {"page": "1", "page_size": "20"},
    )
    assert query == "genre=12&genre=18"


def test_every_part_of_a_view_key_splits_the_cache():
    base = keys.view_response(**VIEW_KEY_ARGS)
    for change in (
        {"host": "http://other"},
        {"query": "page=3"},
        {"language": "en-US"},
        {"region": "FR"},
        {"include_adult": True},
        {"versions": [17, 43]},
    ):
        assert keys.view_response(**{**VIEW_KEY_ARGS, **change}) != base, change
