"""normalize_email: the one canonical form of an email address (registration, sign-in, lockout, throttles)."""

import unicodedata


def normalize_email(value: str | None) -> str:
    """Stripped, NFKC-normalised and case-folded, so look-alikes fold to one address.

    `crisi\u017f@…` (long s) and `CRISIS@…` both become `crisis@…`; lookups compare this stored form
    exactly (never `iexact`, whose database UPPER() folds differently from Python). NFKC is applied
    again after case folding, which can leave a string that is not NFKC (e.g. `ǰ`).
    """
    folded = unicodedata.normalize("NFKC", (value or "").strip()).casefold()
    return unicodedata.normalize("NFKC", folded)
