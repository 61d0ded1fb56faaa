"""Which language a request is answered in; the catalogs live in server/translations/.

The order: the visible switch (a cookie set by ``GET /lang/<code>``) → the person's stored
choice (a logged-in staff member's ``users.language``; on personal-link pages the application's
``language``) → ``Accept-Language`` → English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import support
from flask import Blueprint, Flask, g, has_app_context, has_request_context, redirect, request
from flask_babel import force_locale, get_locale, refresh
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

LANGUAGES = ("en", "ru")  # a new language is a new catalog plus its code here
DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
COOKIE = "convene_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Each language named in itself, as the switch shows it.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}

bp = Blueprint("i18n", __name__)


def known(code: str | None) -> str | None:
    """`code` if it is one of ours, else None."""
    return code if code in LANGUAGES else None


def select_locale() -> str:
    """The reader's language: switch, stored choice, Accept-Language, English. A JSON API call
    states its language per request, so there Accept-Language comes first. Outside a request
    (workers, scheduled jobs): English, unless the caller uses recipient_locale()."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.path.startswith("/api/") and "Accept-Language" in request.headers:
        asked = request.accept_languages.best_match(LANGUAGES)
        if asked:
            return asked
    chosen = known(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    stored = known(g.get("person_language"))
    if stored:
        return stored
    if current_user and getattr(current_user, "is_authenticated", False):
        staff = known(getattr(current_user, "language", None))
        if staff:
            return staff
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def prefer_language(code: str | None) -> None:
    """Answer this request in a person's stored language (personal-link pages), unless switched."""
    g.person_language = known(code)
    refresh()


@contextmanager
def recipient_locale(person: Any) -> Iterator[str]:
    """Render mails, calendars and texts for `person` (an Application or User) in their language."""
    code = known(getattr(person, "language", None)) or DEFAULT_LANGUAGE
    with force_locale(code):
        yield code


def current_language() -> str:
    """The request's (or forced) language code, one of LANGUAGES."""
    # Fast path (pages call this per agenda item): the locale Flask-Babel already chose, or
    # force_locale set, for this context (it keeps both in g._flask_babel); else choose it.
    if has_app_context():
        state = g.get("_flask_babel")
        locale = getattr(state, "babel_locale", None)
        if locale is not None:
            return known(locale.language) or DEFAULT_LANGUAGE
    locale = get_locale()
    return known(locale.language if locale else None) or DEFAULT_LANGUAGE


@cache
def compiled_catalog(language: str) -> support.NullTranslations:
    """One language's compiled catalog, loaded once per process (English: the msgids)."""
    return support.Translations.load(str(TRANSLATIONS), [language], "messages")


# Templates' catalog for the render's language, put in their context once per page.
_CATALOG = "_i18n_catalog"


def _render_catalog() -> dict[str, Any]:
    """A context processor: the catalog of this render's language, looked up once per page (a
    mail rendered under ``recipient_locale`` gets the recipient's)."""
    return {_CATALOG: compiled_catalog(current_language())}


def _catalog_of(context: Context) -> support.NullTranslations:
    catalog = context.get(_CATALOG)
    return catalog if catalog is not None else compiled_catalog(current_language())


@pass_context
def _template_gettext(context: Context, msgid: str, **variables: Any) -> str:
    text = _catalog_of(context).gettext(msgid)
    if not variables and "%" not in text:  # most page texts: nothing to format
        return Markup(text) if context.eval_ctx.autoescape else text
    if context.eval_ctx.autoescape:  # HTML pages: the arguments are escaped, the catalog's text is not
        return Markup(text) % variables
    return text % variables  # always a format string ("%%" → "%"), as Jinja's newstyle gettext does


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    text = _catalog_of(context).ngettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        return Markup(text) % variables
    return text % variables


def safe_next(target: str | None) -> str:
    """A same-site path to go back to; anything else (another host, a scheme, //) is the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@bp.get("/lang/<code>")
def switch(code: str) -> Any:
    """The visible switch: remember the language in a cookie (and a staff member's account)."""
    response = redirect(safe_next(request.args.get("next")))
    language = known(code)
    if language is None:
        return response
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    if getattr(current_user, "is_authenticated", False):
        from server.extensions import db

        current_user.language = language
        db.session.commit()
    return response


def _switch_links() -> list[tuple[str, str, str, bool]]:
    """(code, name, url, is_current) for each language, coming back to this page."""
    here = request.full_path.rstrip("?") if request else "/"
    current = current_language()
    return [(code, LANGUAGE_NAMES.get(code, code), f"/lang/{code}?next={_quote(here)}", code == current)
            for code in LANGUAGES]


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _label(table: dict[str, str], key: str) -> str:
    label = table.get(key)
    return compiled_catalog(current_language()).gettext(label) if label else key


def init_app(app: Flask) -> None:
    """Templates get `get_locale()`, the switch, `localized()`, the scripts' catalog and time words."""
    from server import i18n_catalog, localize, names, timefmt
    from server.core.vocab import APPLICATION_STATUS_LABELS, ITEM_KIND_LABELS, PERSONAL_STATUS_TEXT

    app.register_blueprint(bp)
    # Templates' _() / ngettext() and {% trans %}: Flask-Babel's newstyle semantics (autoescaped
    # %(name)s), each in one call instead of Jinja's three nested ones (`_` → resolve `gettext`
    # → wrapper → function): a page calls `_()` dozens of times.
    app.jinja_env.newstyle_gettext = True  # type: ignore[attr-defined]
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    app.context_processor(_render_catalog)
    app.jinja_env.globals.update(
        get_locale=get_locale, language_links=_switch_links, current_language=current_language,
        localized=localize.localized, script_catalog=i18n_catalog.script_catalog,
        clock=timefmt.clock, span=timefmt.span, place=timefmt.place, event_and_own=timefmt.event_and_own,
        day_name=timefmt.day, short_day=timefmt.short_day, day_and_time=timefmt.day_and_time,
        language_name=names.language_name,
        item_kind=lambda kind: _label(ITEM_KIND_LABELS, kind),
        status_text=lambda status: _label(PERSONAL_STATUS_TEXT, status),
        status_label=lambda status: _label(APPLICATION_STATUS_LABELS, status),
    )
