"""Countries and languages named in the reader's language (CLDR through Babel), English as fallback."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError

from server.core.vocab import UnknownCountry, country_name
from server.i18n import current_language


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country(code: str, language: str | None = None) -> str:
    """The country's name in the language ("Kazakhstan", "Казахстан"); the code if unknown."""
    lang = language or current_language()
    try:
        english = country_name(code)
    except UnknownCountry:
        return code
    if lang == "en":
        return english
    return str(_locale(lang).territories.get(code.strip().upper()) or english)


@cache
def country_names(language: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every country, sorted by its name in the language."""
    codes = [c.alpha_2 for c in pycountry.countries] + ["XK"]
    names = [(code, country(code, language)) for code in codes]
    return tuple(sorted(names, key=lambda pair: pair[1].casefold()))


def language_name(code: str, language: str | None = None) -> str:
    """A language named in the reader's language ("Kazakh", "казахский"); the code if unknown."""
    lang = language or current_language()
    name = _locale(lang).languages.get(code)
    if name:
        return str(name)
    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    return str(found.name) if found else code
