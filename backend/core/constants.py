"""Application-wide constants."""

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Deeper pages are refused (TMDb itself stops at 500); keeps OFFSET scans bounded.
MAX_PAGE = 500
MAX_QUERY_LENGTH = 200
