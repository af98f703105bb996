"""What every parser shares: bounded reading (file, zip members, rows), CSV rows, values, entries."""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from core.exceptions import PayloadTooLarge, ValidationFailed

READ_CHUNK = 64 * 1024
IMDB_ID = re.compile(r"^tt\d{5,10}$")


class UploadTooLarge(PayloadTooLarge):
    default_detail = "The upload is larger than the import limits allow."


class UploadRejected(ValidationFailed):
    """The file is not an export of the source it was sent as (400, per-field message on `file`)."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int
    max_unzipped_bytes: int
    max_zip_members: int
    max_rows: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_upload_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
            max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
            max_zip_members=settings.IMPORT_MAX_ZIP_MEMBERS,
            max_rows=settings.IMPORT_MAX_ROWS,
        )


def read_upload(upload, limits: Limits) -> bytes:
    """The whole upload, refusing more than the limit whatever size the client declared."""
    return _bounded(upload, limits.max_upload_bytes, "upload", limits.max_upload_bytes)


def zip_members(content: bytes, limits: Limits) -> dict[str, bytes]:
    """{base name: bytes} of a zip's files, read with a budget: a zip bomb is refused, not expanded.

    Declared sizes are checked first, then every member is read in bounded chunks (a forged
    header cannot make it read more than the budget).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UploadRejected("Not a readable zip file.") from exc
    if len(infos) > limits.max_zip_members:
        raise UploadTooLarge(f"The zip holds more than {limits.max_zip_members} files.")
    if sum(info.file_size for info in infos) > limits.max_unzipped_bytes:
        raise UploadTooLarge(f"The zip expands to more than {limits.max_unzipped_bytes} bytes.")
    budget, members = limits.max_unzipped_bytes, {}
    for info in infos:
        try:
            with archive.open(info) as member:
                data = _bounded(member, budget, "unzipped content", limits.max_unzipped_bytes)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
            raise UploadRejected(f"Could not read {info.filename} from the zip.") from exc
        budget -= len(data)
        members[info.filename.rsplit("/", 1)[-1].lower()] = data
    return members


def _bounded(stream, budget: int, what: str, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := stream.read(min(READ_CHUNK, budget - size + 1)):
        size += len(chunk)
        if size > budget:
            raise UploadTooLarge(f"The {what} is larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def text_of(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRejected(f"{name} is not UTF-8 text.") from exc


def csv_rows(data: bytes, name: str, *, required: set[str]) -> Iterator[tuple[int, dict]]:
    """(line number, row) of a CSV with a header; its header must hold the `required` columns."""
    reader = csv.DictReader(io.StringIO(text_of(data, name), newline=""))
    try:
        header = set(reader.fieldnames or [])
    except csv.Error as exc:
        raise UploadRejected(f"{name} is not a readable CSV file.") from exc
    missing = required - header
    if missing:
        raise UploadRejected(f"{name} lacks the column(s): {', '.join(sorted(missing))}.")
    try:
        for row in reader:
            yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}
    except csv.Error as exc:
        raise UploadRejected(f"{name} line {reader.line_num}: {exc}") from exc


def check_row_count(entries: list, limits: Limits) -> list:
    if len(entries) > limits.max_rows:
        raise UploadTooLarge(f"More than {limits.max_rows} entries in one import.")
    return entries


# Values ------------------------------------------------------------------------------------------
def as_int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def as_year(value) -> int | None:
    year = as_int(value)
    return year if year is not None and 1870 <= year <= 2100 else None


def as_date(value) -> str | None:
    """An ISO date from "2024-05-01", "2024-05-01T20:00:00Z" or "2024-05-01 20:00"; else None."""
    text = str(value or "").strip()[:10]
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def as_imdb_id(value) -> str | None:
    text = str(value or "").strip()
    return text if IMDB_ID.match(text) else None


def entry(kind: str, ref: str, **values) -> dict:
    """One entry, the shape every parser produces (None values dropped)."""
    return {
        "kind": kind,
        "ref": ref,
        **{key: value for key, value in values.items() if value not in (None, "")},
    }
