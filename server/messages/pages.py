"""/organise/<slug>/messages: every message the meeting sends, its text per language, a preview
for a sample person and "send me a test" (through the ordinary mail queue)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from server.applications.mails import mail_domain
from server.auth import organiser_page
from server.clock import now
from server.core.invite_mail import Mailbox, build_simple_email
from server.core.mailtext import check_text
from server.events.operations import get_event
from server.extensions import db
from server.i18n import LANGUAGES
from server.mail import queue_mail
from server.messages import texts
from server.messages.kinds import BY_KEY, KINDS, PLACEHOLDERS
from server.messages.values import values_for
from server.problems import Problem

bp = Blueprint("messages", __name__, url_prefix="/organise/<slug>/messages")

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
SAMPLE_NAME = "Aigerim Bekova"


def _sample_link() -> str:
    from server.applications.links import base_url

    return f"{base_url()}/p/••••••••"  # a preview never shows a working link


def _language() -> str:
    lang = request.values.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


@bp.get("")
@organiser_page
def index(slug: str) -> Any:
    event = get_event(slug)
    rows = [{"kind": k, "edited": {lang: texts.override(event, k.key, lang) is not None for lang in LANGUAGES}}
            for k in KINDS]
    return render_template("messages/index.html", event=event, rows=rows, languages=LANGUAGES,
                           language_names=LANGUAGE_NAMES)


def _preview(event: Any, subject: str, body: str, lang: str) -> tuple[str, str]:
    from server.core.mailtext import fill

    values = values_for(event, SAMPLE_NAME, _sample_link(), lang)
    if check_text(subject, PLACEHOLDERS) or check_text(body, PLACEHOLDERS):
        return "", ""
    with force_locale(lang):
        return " ".join(fill(subject, values).split()), fill(body, values)


def _page(event: Any, kind_key: str, lang: str, subject: str | None = None, body: str | None = None,
          errors: dict[str, str] | None = None, status: int = 200) -> Any:
    kind = BY_KEY.get(kind_key) or abort(404)
    stored_subject, stored_body, edited = texts.template(event, kind_key, lang)
    subject = stored_subject if subject is None else subject
    body = stored_body if body is None else body
    preview = _preview(event, subject, body, lang)
    return render_template("messages/edit.html", event=event, kind=kind, lang=lang, subject=subject, body=body,
                           edited=edited, errors=errors or {}, preview=preview, placeholders=PLACEHOLDERS,
                           languages=LANGUAGES, language_names=LANGUAGE_NAMES), status


@bp.get("/<kind>")
@organiser_page
def edit(slug: str, kind: str) -> Any:
    return _page(get_event(slug), kind, _language())


@bp.post("/<kind>")
@organiser_page
def save(slug: str, kind: str) -> Any:
    event = get_event(slug)
    lang = _language()
    subject, body = request.form.get("subject", ""), request.form.get("body", "")
    if request.form.get("action") == "reset":
        texts.reset(event, kind, lang)
        flash(_("Back to the default text."), "info")
        return redirect(url_for(".edit", slug=slug, kind=kind, lang=lang))
    if request.form.get("action") == "preview":
        return _page(event, kind, lang, subject, body)
    try:
        texts.save(event, kind, lang, subject, body)
    except Problem as problem:
        if problem.status != 422:
            raise
        db.session.rollback()
        errors: dict[str, str] = {}
        for e in problem.errors:
            errors[e["field"]] = (errors.get(e["field"], "") + " " + e["reason"]).strip()
        return _page(event, kind, lang, subject, body, errors, 422)
    flash(_("Saved. Messages sent from now on use this text."), "info")
    return redirect(url_for(".edit", slug=slug, kind=kind, lang=lang))


@bp.post("/<kind>/test")
@organiser_page
def send_test(slug: str, kind: str) -> Any:
    """Mail the stored text, filled for a sample person, to the organiser who asks."""
    event = get_event(slug)
    if kind not in BY_KEY:
        abort(404)
    lang = _language()
    subject, body = texts.render(event, kind, lang, values_for(event, SAMPLE_NAME, _sample_link(), lang))
    at = now()
    key = f"message-test:{event.id}:{kind}:{lang}:{current_user.id}:{at.timestamp():.3f}"
    message = build_simple_email(
        sender=Mailbox(event.organiser_name or event.title[:60], event.organiser_email),
        to=Mailbox(current_user.name or "", current_user.email), subject=_("[Test] %(subject)s", subject=subject),
        text=body, key=(key,), domain=mail_domain(), now=at)
    queue_mail(message, key=key, kind="message_test", event_id=event.id)
    db.session.commit()
    flash(_("A test is on its way to %(address)s.", address=current_user.email), "info")
    return redirect(url_for(".edit", slug=slug, kind=kind, lang=lang))
