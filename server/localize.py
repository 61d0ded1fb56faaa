"""Event content in the reader's language: an organiser's translation where it exists, else the original.

Events, agenda days and agenda items keep their original texts in their columns and others in
``translations`` ({"ru": {"title": ..., "summary": ..., "description": ...}}).
"""

from __future__ import annotations

import re
from typing import Any

from server.i18n import current_language

# The names server.breakouts gives rooms: "Room 3" or "Room 3 · <role group label>".
_GENERATED_ROOM = re.compile(r"^Room (\d+)(?: · (.+))?$")


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """`obj.field` in `language` (default: the request's) if translated, else the original."""
    code = language or current_language()
    translations = getattr(obj, "translations", None) or {}
    text = (translations.get(code) or {}).get(field)
    if isinstance(text, str) and text.strip():
        return text
    value = getattr(obj, field, "")
    return value if isinstance(value, str) else ""


def room_label(name: str, language: str | None = None) -> str:
    """A room name in `language`: the generated "Room 3 · Police and legal" is translated, an
    organiser's own name ("Almaty table") is kept as written."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from server.core.vocab import ROLE_GROUP_LABELS

    match = _GENERATED_ROOM.match(name)
    if not match:
        return name
    code = language or current_language()
    themes = {label: label for label in ROLE_GROUP_LABELS.values()}
    theme = match.group(2)
    if theme is not None and theme not in themes:
        return name
    with force_locale(code):
        label = _("Room %(num)s", num=match.group(1))
        return f"{label} · {_(theme)}" if theme else label




def role_label(code: str) -> str:
    """A participant's role in the reader's language (the code itself when it is none we know)."""
    from flask_babel import gettext as _

    from server.core.vocab import ROLE_LABELS, Role

    try:
        return _(ROLE_LABELS[Role(code)])
    except ValueError:
        return code


def region_label(code: str) -> str:
    """A region in the reader's language (the code itself when it is none we know)."""
    from flask_babel import gettext as _

    from server.core.vocab import REGION_LABELS, Region

    try:
        return _(REGION_LABELS[Region(code)])
    except ValueError:
        return code
