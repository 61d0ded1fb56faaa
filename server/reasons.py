"""Why a value was refused, as a sentence a person understands, in the request's language.

Every refusal built from pydantic's errors goes through ``sentence()``: the error's type (and,
where the field matters, its name) picks one plain sentence here, so no validator wording, enum
dump or type name reaches a person. Our own validators raise ``PydanticCustomError`` with a type
listed in ``SENTENCES`` (e.g. ``unknown_country``) rather than free text.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from server.core.vocab import N_

# pydantic's (or our custom) error type → sentence. Counts and bounds are filled in below.
SENTENCES: dict[str, str] = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not one we know; leave it out."),
    "enum": N_("Choose one of the options in the list."),
    "literal_error": N_("Choose one of the options in the list."),
    "string_type": N_("Write text here."),
    "list_type": N_("Give a list here."),
    "dict_type": N_("Give an object with named fields here."),
    "model_type": N_("Give an object with named fields here."),
    "model_attributes_type": N_("Give an object with named fields here."),
    "int_type": N_("Enter a whole number."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "float_type": N_("Enter a number."),
    "float_parsing": N_("Enter a number."),
    "bool_type": N_("Answer yes or no (true or false)."),
    "bool_parsing": N_("Answer yes or no (true or false)."),
    "date_type": N_("Enter a date as YYYY-MM-DD, for example 2021-05-25."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD, for example 2021-05-25."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD, for example 2021-05-25."),
    "date_from_datetime_inexact": N_("Enter a date as YYYY-MM-DD, for example 2021-05-25."),
    "time_type": N_("Enter a time as HH:MM, for example 09:30."),
    "time_parsing": N_("Enter a time as HH:MM, for example 09:30."),
    "datetime_type": N_("Enter a date and time with its offset, for example 2021-05-12T23:59:59+02:00."),
    "datetime_parsing": N_("Enter a date and time with its offset, for example 2021-05-12T23:59:59+02:00."),
    "datetime_from_date_parsing": N_("Enter a date and time with its offset, for example 2021-05-12T23:59:59+02:00."),
    "timezone_aware": N_("Give the time with its offset from UTC, for example +02:00."),
    "string_pattern_mismatch": N_("This does not have the expected form."),
    "url_parsing": N_("Enter a full web address starting with https://."),
    "url_scheme": N_("Enter a full web address starting with https://."),
    "json_invalid": N_("The body is not valid JSON."),
    # our own validators (PydanticCustomError types)
    "unknown_country": N_("Choose a country from the list."),
    "unknown_language": N_("This is not a language we know: write its English name or its ISO code."),
    "unknown_timezone": N_("Choose a time zone from the list."),
    "consent_required": N_("We can only take your application with your consent: tick the box."),
    "must_be_empty": N_("Leave this field empty."),
}

# Where the field says more than the type: (field, type) → sentence.
FIELD_SENTENCES: dict[tuple[str, str], str] = {
    ("role", "enum"): N_("Choose your role from the list."),
    ("role", "missing"): N_("Choose your role from the list."),
    ("country", "missing"): N_("Choose a country from the list."),
    ("country", "string_too_short"): N_("Choose a country from the list."),
    ("works_with", "too_short"): N_("Tick at least one: whom your work involves."),
    ("works_with", "enum"): N_("Choose from the options given."),
    ("languages", "too_short"): N_("Give at least one language you can work in."),
    ("languages", "missing"): N_("Give at least one language you can work in."),
    ("works_with", "missing"): N_("Tick at least one: whom your work involves."),
    ("key_questions", "missing"): N_("Write at least your first key question."),
    ("key_questions", "too_short"): N_("Write at least your first key question."),
    ("share_questions", "literal_error"): N_("Choose one of the three answers."),
    ("consent", "bool_type"): N_("We can only take your application with your consent: tick the box."),
    ("consent", "missing"): N_("We can only take your application with your consent: tick the box."),
    ("slug", "string_pattern_mismatch"): N_("Use only lower-case letters, digits and hyphens (3 to 80 of them)."),
    ("kind", "enum"): N_("Choose the kind of item from the list."),
    ("region_min", "enum"): N_("Use one of the regions: eu, other_europe, central_asia, other."),
    ("region_max", "enum"): N_("Use one of the regions: eu, other_europe, central_asia, other."),
}

# What a 404 says for each kind of thing not found (server.problems.not_found).
NOT_FOUND: dict[str, str] = {
    "event": N_("No such event"),
    "agenda day": N_("No such agenda day"),
    "agenda item": N_("No such agenda item"),
    "application": N_("No such application"),
    "break-out round": N_("No such break-out round"),
    "mail": N_("No such mail"),
    "participant": N_("No such participant"),
    "personal link": N_("This personal link does not work (any more)"),
}

HTTP_TITLES: dict[int, str] = {
    400: N_("Bad request"),
    401: N_("Login required"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Not possible here"),
    409: N_("Conflict"),
    413: N_("Too much data"),
    415: N_("Unsupported media type"),
    422: N_("Invalid request"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on our side"),
}


def http_title(code: int, fallback: str) -> str:
    """The title of an HTTP error page in the reader's language."""
    title = HTTP_TITLES.get(code)
    return _(title) if title else fallback


def _field_name(loc: tuple[Any, ...]) -> str:
    """The named field an error is about: "languages" for ("languages", 0)."""
    names = [str(part) for part in loc if isinstance(part, str)]
    return names[-1] if names else ""


def _email(reason: str) -> str:
    if "must have an @-sign" in reason or "exactly one @-sign" in reason:
        return _("This email address has no @.")
    if "after the @-sign" in reason:
        return _("Something is missing after the @ in this email address.")
    if "before the @-sign" in reason:
        return _("Something is missing before the @ in this email address.")
    return _("This is not an email address we can write to: check it for typing mistakes.")


def _sized(err: dict[str, Any]) -> str | None:
    """Sentences that carry a bound: lengths, counts, ranges."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "string_too_short":
        if value in ("", None):
            return _("This field is required.")
        n = int(ctx.get("min_length", 1))
        return ngettext("Write at least %(num)d character.", "Write at least %(num)d characters.", n)
    if kind == "string_too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext("Write at most %(num)d character.", "Write at most %(num)d characters.", n)
    if kind == "too_short":
        if not value:
            return _("This field is required: give at least one.")
        n = int(ctx.get("min_length", 1))
        return ngettext("Give at least %(num)d item.", "Give at least %(num)d items.", n)
    if kind == "too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext("Give at most %(num)d item.", "Give at most %(num)d items.", n)
    bounds = {"greater_than_equal": ("ge", _("Enter a number of at least %(bound)s.")),
              "greater_than": ("gt", _("Enter a number above %(bound)s.")),
              "less_than_equal": ("le", _("Enter a number of at most %(bound)s.")),
              "less_than": ("lt", _("Enter a number below %(bound)s."))}
    if kind in bounds:
        key, sentence = bounds[kind]
        return sentence % {"bound": ctx.get(key)}
    return None


def sentence(err: dict[str, Any]) -> str:
    """One pydantic error as a sentence in the request's language."""
    kind, ctx = err["type"], err.get("ctx") or {}
    field = _field_name(tuple(err.get("loc") or ()))
    special = FIELD_SENTENCES.get((field, kind))
    if special:
        return _(special)
    if "translations" in (err.get("loc") or ()) and kind == "literal_error":
        from server.i18n import LANGUAGES

        return _("Translations are possible into these languages only: %(languages)s.",
                 languages=", ".join(LANGUAGES))
    if kind == "value_error" and ("@-sign" in str(ctx.get("reason", "")) or field == "email"):
        if not str(err.get("input") or "").strip():
            return _("This field is required.")
        return _email(str(ctx.get("reason", "")))
    sized = _sized(err)
    if sized:
        return sized
    known = SENTENCES.get(kind)
    if known:
        return _(known, **{k: str(v) for k, v in ctx.items() if isinstance(v, str | int | float)})
    if kind == "value_error":
        # One of our own validators said why, in words written for people (translated where the
        # catalog has them); better than a vaguer sentence. Prefer PydanticCustomError types above.
        return _(str(err.get("msg", "")).removeprefix("Value error, "))
    return _("This value is not valid here.")
