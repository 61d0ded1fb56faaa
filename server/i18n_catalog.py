"""The browser scripts' strings, served from the same gettext catalogs as the pages.

base.html embeds ``script_catalog()`` as ``<script type="application/json" id="i18n-catalog">``:
the current language's translations of exactly the msgids that client/src uses (found by Babel's
JavaScript extractor, as ``convene translations extract`` finds them), and the language's plural
categories in the catalog's order so client/src/i18n.js can pick 1 место, 2 места, 5 мест.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.extract import extract_from_dir
from markupsafe import Markup

from server.i18n import compiled_catalog, current_language

CLIENT_SRC = Path(__file__).resolve().parent.parent / "client" / "src"
JS_KEYWORDS = {"gettext": None, "ngettext": (1, 2)}
# Gettext orders plural forms by CLDR category in this order (babel.plural.to_gettext does too).
CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")


@cache
def script_msgids() -> tuple[tuple[str, ...], ...]:
    """Every (msgid,) or (singular, plural) the scripts pass to gettext/ngettext."""
    found: dict[tuple[str, ...], None] = {}
    method_map = [("**.js", "javascript")]
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(CLIENT_SRC), method_map, keywords=JS_KEYWORDS):
        key = tuple(message) if isinstance(message, tuple | list) else (message,)
        if all(isinstance(part, str) and part for part in key):
            found[key] = None
    return tuple(found)


def plural_categories(language: str) -> list[str]:
    """The language's CLDR plural categories in gettext's form order ("other" folds into the last)."""
    tags = set(Locale.parse(language).plural_form.tags) | {"other"}
    ordered = [tag for tag in CATEGORY_ORDER if tag in tags]
    # Gettext's catalogs for ru have three forms: one, few, many; "other" (fractions) uses the last.
    from babel.messages.plurals import get_plural

    forms = get_plural(language).num_plurals
    return ordered[:forms]


@cache
def _catalog_json(language: str) -> str:
    translations = compiled_catalog(language)
    entries: dict[str, object] = {}
    for key in script_msgids():
        if len(key) == 1:
            text = translations.gettext(key[0])
            if text != key[0]:
                entries[key[0]] = text
        else:
            forms = []
            for n in _sample_numbers(language):
                forms.append(translations.ngettext(key[0], key[1], n))
            entries[key[0]] = forms
    from babel.messages.plurals import get_plural

    body = {"": {"language": language, "plural_forms": get_plural(language).plural_forms,
                 "categories": plural_categories(language)}, **entries}
    # </script> cannot end the element early: "<" is escaped inside the JSON.
    return json.dumps(body, ensure_ascii=False).replace("<", "\\u003c")


def _sample_numbers(language: str) -> list[int]:
    """One number per plural form, in the catalog's order (so ngettext returns each form once)."""
    plural = Locale.parse(language).plural_form
    wanted = plural_categories(language)
    samples: dict[str, int] = {}
    for n in range(0, 200):
        tag = plural(n)
        if tag in wanted and tag not in samples:
            samples[tag] = n
    return [samples.get(tag, 0) for tag in wanted]


def script_catalog() -> Markup:
    """The current language's script catalog as JSON, safe inside a <script> element."""
    return Markup(_catalog_json(current_language()))
