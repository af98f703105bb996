"""Upload parsers: each turns one service's export into plain entries (dicts), within the limits."""

from .common import Limits, UploadRejected, UploadTooLarge
from .formats import parse

__all__ = ["Limits", "UploadRejected", "UploadTooLarge", "parse"]
