"""The upload parsers on their own: formats, Letterboxd's merge rules and quirks, and the limits."""

import io
import zipfile

import pytest

from apps.imports.parsers import Limits, UploadRejected, UploadTooLarge, parse
from apps.imports.parsers.formats import stars_to_ten

from .conftest import letterboxd_zip, sample

LIMITS = Limits(max_upload_bytes=1_000_000, max_unzipped_bytes=2_000_000, max_zip_members=10, max_rows=100)


def entries(source: str, content: bytes, limits: Limits = LIMITS) -> list[dict]:
    return parse(source, io.BytesIO(content), limits)


@pytest.mark.parametrize(
    ("stars", "ten"), [("0.5", 1), ("1", 2), ("2.5", 5), ("4.5", 9), ("5", 10), ("5.0", 10)]
)
def test_half_stars_map_exactly_to_ten(stars, ten):
    assert stars_to_ten(stars) == ten


@pytest.mark.parametrize("value", ["", "0", "5.5", "0.25", "x", "-1"])
def test_anything_else_is_no_rating(value):
    assert stars_to_ten(value) is None


def test_letterboxd_merges_diary_reviews_ratings_and_watched():
    # when
    found = entries("letterboxd", letterboxd_zip())
    # then
    by_title = {(e["title"], e.get("watched_on")): e for e in found}
    alien = by_title["Alien", "2024-10-30"]
    assert (alien["rating"], alien["review"][:8], alien["ref"]) == (9, "In space", "diary.csv:2")
    assert [e["kind"] for e in found].count("viewing") == 9
    assert by_title["Crouching Tiger, Hidden Dragon", "2024-11-30"]["year"] == 2000
    assert by_title['"Ask Me Anything": The Movie', "2022-08-09"]["rating"] == 1
    assert (
        "rating"
        not in by_title["Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb", "2022-02-02"]
    )
    assert by_title["The Thing", "2024-11-01"]["rewatch"] is True
    assert by_title["Crouching Tiger, Hidden Dragon: Sword of Destiny", None]["kind"] == "watchlist"


def test_a_zip_without_letterboxd_files_is_400():
    with pytest.raises(UploadRejected):
        entries("letterboxd", letterboxd_zip({"notes.txt": b"hello"}))


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken"])
def test_an_unreadable_zip_is_400(content):
    with pytest.raises(UploadRejected):
        entries("letterboxd", content)


def test_a_csv_without_its_columns_is_400():
    with pytest.raises(UploadRejected, match="Const"):
        entries("imdb", b"Title,Year\nAlien,1979\n")


def test_an_empty_file_is_400():
    with pytest.raises(UploadRejected, match="no entries"):
        entries("csv", b"title,year\n")


def test_invalid_json_is_400():
    with pytest.raises(UploadRejected):
        entries("trakt", b"[{")


def test_a_file_over_the_size_limit_is_413_whatever_it_declares():
    small = Limits(max_upload_bytes=100, max_unzipped_bytes=1000, max_zip_members=10, max_rows=10)
    with pytest.raises(UploadTooLarge):
        entries("csv", b"title\n" + b"x" * 200, small)


def test_a_zip_bomb_is_413_before_it_is_expanded():
    # given: 50 MB of zeros, a few tens of KB zipped
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("diary.csv", b"0" * 50_000_000)
    # when / then
    with pytest.raises(UploadTooLarge, match="expands"):
        entries("letterboxd", buffer.getvalue())


def test_a_zip_lying_about_its_sizes_is_still_stopped_at_the_budget():
    # given: a member whose header claims 10 bytes but holds 3 MB
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("diary.csv", b"1" * 3_000_000)
    forged = _forge_sizes(buffer.getvalue(), 3_000_000, 10)
    # when / then
    with pytest.raises((UploadTooLarge, UploadRejected)):
        entries("letterboxd", forged)


def _forge_sizes(content: bytes, real: int, claimed: int) -> bytes:
    """Rewrites the uncompressed size in the central directory (what infolist() reports)."""
    return content.replace(real.to_bytes(4, "little"), claimed.to_bytes(4, "little"))


def test_too_many_zip_members_is_413():
    files = {f"extra-{n}.csv": b"x" for n in range(20)}
    with pytest.raises(UploadTooLarge, match="files"):
        entries("letterboxd", letterboxd_zip(files))


def test_too_many_entries_is_413():
    content = b"title,year\n" + b"".join(f"Film {n},2000\n".encode() for n in range(101))
    with pytest.raises(UploadTooLarge, match="entries"):
        entries("csv", content)


def test_imdb_rows_carry_tt_ids_and_types():
    found = entries("imdb", sample("imdb_ratings.csv"))
    assert [(e["imdb_id"], e.get("unsupported")) for e in found] == [
        ("tt0078748", None),
        ("tt0084787", None),
        ("tt0903747", "Not a movie (TV Series)."),
        ("tt9999999", None),
    ]


def test_trakt_shows_are_ignored_and_ratings_join_the_latest_viewing():
    found = entries("trakt", sample("trakt_watchlist_movies.json")) + entries(
        "trakt",
        b"[" + sample("trakt_watched_movies.json")[1:-2] + b"," + sample("trakt_ratings_movies.json")[1:],
    )
    assert [(e["kind"], e["title"], e.get("rating")) for e in found] == [
        ("watchlist", "Saving Private Ryan", None),
        ("viewing", "The Thing", 10),
        ("viewing", "Alien", None),
        ("viewing", "Amélie", 8),
    ]
