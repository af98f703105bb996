"""Validation of preference codes: ISO 639-1 languages (optionally with an ISO 3166-1 region) and regions."""

import re

import pycountry

_LANGUAGE = re.compile(r"^(?P<lang>[A-Za-z]{2})(?:[-_](?P<region>[A-Za-z]{2}))?$")


def normalize_language(value: str) -> str:
    """ "pt-br" → "pt-BR", "EN" → "en"; ValueError for anything that is not ISO 639-1 (+ ISO 3166-1)."""
    match = _LANGUAGE.match(value.strip())
    if not match or pycountry.languages.get(alpha_2=match["lang"].lower()) is None:
        raise ValueError("Use an ISO 639-1 language code, optionally with a region: en, pt-BR.")
    language = match["lang"].lower()
    if match["region"] is None:
        return language
    return f"{language}-{normalize_region(match['region'])}"


def normalize_region(value: str) -> str:
    """ "br" → "BR"; ValueError unless an ISO 3166-1 alpha-2 country code."""
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("Use an ISO 3166-1 alpha-2 country code, such as US or BR.")
    return code
