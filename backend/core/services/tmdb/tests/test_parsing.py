"""Payload parsing tolerates TMDb's nulls, empty dates, runtime 0 and empty homepages; images from /configuration."""

from datetime import date

from core import cache
from core.cache import keys
from core.services.tmdb import movies as parse
from core.services.tmdb.images import image_url, image_urls
from testing.tmdb.double import CONFIGURATION, movie_payload


def test_detail_fields_tolerate_nulls_and_empties():
    # given
    payload = movie_payload(
        7,
        title=None,
        original_title="Original",
        release_date="",
        runtime=0,
        homepage="",
        tagline=None,
        poster_path=None,
        imdb_id=None,
        budget=None,
        vote_average=None,
        popularity=None,
    )
    # when
    fields = parse.detail_fields(payload)
    # then
    assert fields["title"] == "Original"
    assert fields["release_date"] is None
    assert fields["runtime"] is None
    assert fields["homepage"] == ""
    assert fields["tagline"] == ""
    assert fields["poster_path"] == ""
    assert fields["imdb_id"] == ""
    assert parse.detail_fields({**payload, "external_ids": {"imdb_id": "tt7"}})["imdb_id"] == "tt7"
    assert fields["budget"] == 0
    assert fields["vote_average"] == 0.0


def test_dates_and_ranges_are_sanitised():
    assert parse.parse_date("1999-10-15") == date(1999, 10, 15)
    assert parse.parse_date("not a date") is None
    assert parse.list_item_fields({"id": 1, "vote_average": 12, "popularity": -3})["vote_average"] == 10
    assert parse.list_item_fields({"id": 1, "popularity": -3})["popularity"] == 0


def test_metadata_keeps_trimmed_credits_videos_keywords():
    plain = movie_payload(550, **{})
    metadata = parse.detail_metadata(plain)
    # the detail fields without a column are kept as delivered (the TMDb-compatible API renders them)
    details = {key: plain[key] for key in parse.DETAIL_EXTRA_KEYS}
    assert metadata == {
        "credits": {"cast": [], "crew": []},
        "videos": [],
        "keywords": [],
        "external_ids": {},
        "details": details,
    }
    payload = {**movie_payload(550), **movie_payload(550)["_appendable"]}
    metadata = parse.detail_metadata(payload)
    assert [p["name"] for p in metadata["credits"]["cast"]] == ["Lead Actor", "Second Actor"]
    assert [p["job"] for p in metadata["credits"]["crew"]] == ["Director"]
    assert metadata["videos"][0]["site"] == "YouTube"
    assert metadata["keywords"] == [{"id": 825, "name": "support group"}]


def test_page_results_drop_malformed_items_and_cap_pages():
    payload = {
        "results": [{"id": 1}, {"id": "x"}, None, {"title": "no id"}],
        "total_pages": 9000,
        "total_results": 5,
    }
    assert [item["id"] for item in parse.page_results(payload)] == [1]
    assert parse.page_totals(payload) == (500, 5)


def test_image_urls_use_defaults_until_configuration_is_cached(settings):
    settings.TMDB_IMAGE_BASE_URL = "https://img.example/t/p/"
    assert image_url("/a.jpg") == "https://img.example/t/p/w342/a.jpg"
    assert image_url("") is None
    assert image_url(None, "backdrop") is None


def test_image_urls_follow_the_cached_configuration():
    # given
    config = {"images": {**CONFIGURATION["images"], "secure_base_url": "https://cdn.example/p/"}}
    config["images"]["poster_sizes"] = ["w100", "original"]
    cache.set(keys.configuration_key(), config, ttl=60)
    # then
    assert image_url("/a.jpg", "poster") == "https://cdn.example/p/original/a.jpg"  # w342 not offered
    assert image_urls("/a.jpg", "poster") == {
        "w100": "https://cdn.example/p/w100/a.jpg",
        "original": "https://cdn.example/p/original/a.jpg",
    }


def test_malformed_payload_parts_are_dropped_not_fatal():
    payload = {
        "id": 1,
        "title": 42,
        "genres": [{"id": "x", "name": "Bad"}, "Drama", {"id": 18, "name": "Drama"}],
        "credits": ["not", "a", "dict"],
        "videos": {"results": [None, {"key": "k", "site": "YouTube"}]},
        "keywords": {"keywords": "none"},
        "external_ids": None,
        "runtime": "long",
    }
    assert parse.genre_items(payload) == [{"id": 18, "name": "Drama"}]
    metadata = parse.detail_metadata(payload)
    assert metadata["credits"] == {"cast": [], "crew": []}
    assert [v["key"] for v in metadata["videos"]] == ["k"]
    assert metadata["keywords"] == []
    assert metadata["external_ids"] == {}
    fields = parse.detail_fields(payload)
    assert fields["title"] == "TMDb 1"
    assert fields["runtime"] is None
