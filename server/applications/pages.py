"""Public pages: the application form (no account, no JavaScript needed) and the personal link."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from server import clock
from server.applications import deadline, erasure, lifecycle, links, queries, schemas
from server.applications.api import apply_limit
from server.core.vocab import N_, ROLE_LABELS, WORKS_WITH_LABELS
from server.core.zones import zone_names
from server.events.operations import get_event
from server.events.pages import viewer_zone
from server.extensions import limiter
from server.i18n import LANGUAGE_NAMES, LANGUAGES, current_language, prefer_language
from server.names import country_names, language_name
from server.problems import Problem, validate

bp = Blueprint("applications", __name__)

# Offered as tick boxes (named in the reader's language by Babel); any other ISO 639 language can be typed in.
COMMON_LANGUAGES = ("en", "ru", "fr", "de", "nl", "kk", "uz", "ky", "tg", "tk", "ar", "tr")
SHARE_LABELS = {
    "with_name": N_("Yes, with my name"),
    "anonymous": N_("Yes, without my name"),
    "no": N_("No, keep them for the organisers"),
}
# The form's fields as the error summary names them (translated when shown).
FIELD_LABELS = {
    "name": N_("Your name"), "email": N_("Email address"), "organisation": N_("Organisation"),
    "job_title": N_("Job title"), "country": N_("Country where you work"), "role": N_("Your role"),
    "role_other": N_("Your role in a few words"), "languages": N_("Languages you can work in"),
    "works_with": N_("Whom does your work involve?"), "work_relation": N_("How your work relates"),
    "key_question_1": N_("Key question 1"), "key_question_2": N_("Key question 2"),
    "key_question_3": N_("Key question 3"), "challenges": N_("Your challenges"),
    "share_questions": N_("Your key questions in the Q&A"), "consent": N_("Your consent"),
    "language": N_("Language of the messages"), "timezone": N_("Your time zone"),
}
PERSONAL_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@cache
def _zone_names() -> tuple[str, ...]:
    return zone_names()


def form_data(form: MultiDict[str, str], *, with_identity: bool = True) -> dict[str, Any]:
    """The HTML form as the JSON body the API takes (one field per key question)."""
    data: dict[str, Any] = {k: form.get(k, "") for k in (
        "name", "organisation", "job_title", "country", "role", "role_other", "work_relation", "challenges",
    )}
    data["share_questions"] = form.get("share_questions", "anonymous")
    data["offers_to_facilitate"] = form.get("offers_to_facilitate") == "yes"
    data["languages"] = [*form.getlist("languages"),
                         *(part.strip() for part in form.get("languages_other", "").split(",") if part.strip())]
    data["works_with"] = form.getlist("works_with")
    data["key_questions"] = [q for q in (form.get(f"key_question_{i}", "").strip() for i in (1, 2, 3)) if q]
    data["language"] = form.get("language") or None
    data["timezone"] = form.get("timezone") or None
    if with_identity:
        data["email"] = form.get("email", "")
        data["consent"] = form.get("consent") == "yes"
        data[schemas.HONEYPOT] = form.get(schemas.HONEYPOT, "")
    return data


def form_errors(problem: Problem) -> dict[str, str]:
    """Problem fields as the form's own field names, so each error sits next to its control."""
    errors: dict[str, str] = {}
    for error in problem.errors:
        parts = error["field"].split(".")
        name = parts[0]
        if name == "key_questions":
            name = f"key_question_{int(parts[1]) + 1}" if len(parts) > 1 and parts[1].isdigit() else "key_question_1"
        errors.setdefault(name, error["reason"])
    return errors


def _context(event: Any, **extra: Any) -> dict[str, Any]:
    language = current_language()
    return {
        "event": event, "tz": event.zone, "viewer_tz": viewer_zone(), "countries": country_names(language),
        "roles": ROLE_LABELS, "works_with_labels": WORKS_WITH_LABELS,
        "languages": [(code, language_name(code)) for code in COMMON_LANGUAGES],
        "message_languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES],
        "zone_names": _zone_names(), "field_labels": {k: _(v) for k, v in FIELD_LABELS.items()},
        "share_labels": SHARE_LABELS, "limits": schemas.LIMITS, "honeypot": schemas.HONEYPOT,
        "deadline_label": deadline.deadline_label(event), "call_open": event.call_is_open(clock.now()), **extra,
    }


@bp.route("/events/<slug>/apply", methods=["GET", "POST"])
@limiter.limit(apply_limit, methods=["POST"])
def apply_form(slug: str) -> Any:
    event = get_event(slug)
    if request.method == "GET":
        return render_template("applications/apply.html", **_context(event, values=MultiDict(), errors={}))
    try:
        deadline.check_call_open(event, clock.now())
        data = validate(schemas.ApplicationIn, form_data(request.form))
        lifecycle.submit(event, data)
    except Problem as problem:
        if problem.status not in (403, 422):
            raise
        return render_template("applications/apply.html", **_context(
            event, values=request.form, errors=form_errors(problem), problem=problem,
        )), problem.status
    # The same page whether the address is new or has applied already (issue 11, item 1).
    return render_template("applications/received.html", event=event), 200, PERSONAL_HEADERS


def _by_token(token: str) -> Any:
    """The application behind a personal link; the page speaks the applicant's language."""
    application = links.by_token(token)
    prefer_language(application.language)
    return application


def _own_zone(application: Any) -> Any:
    """The applicant's zone for their page: ?tz= first, then the one they gave."""
    asked = viewer_zone()
    if asked is not None or not application.timezone:
        return asked
    try:
        return ZoneInfo(application.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _personal(token: str, template: str, status: int = 200, **extra: Any) -> Any:
    application = _by_token(token)
    event = application.event
    extra.setdefault("own_tz", _own_zone(application))
    context = _context(event, application=application, token=token, editable=lifecycle.editable(application),
                       labels=queries.LABELS, calendar_answer=_calendar_answer(application), **extra)
    return render_template(template, **context), status, PERSONAL_HEADERS


def _calendar_answer(application: Any) -> Any:
    """The invitation, when the person's latest answer came from their calendar: the page says
    so, with when, and whom to tell if it was not them (anyone can write their address in a
    From line)."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import CalendarInvitation

    invitation = db.session.scalar(select(CalendarInvitation).where(
        CalendarInvitation.application_id == application.id))
    if invitation is None or invitation.answer_source != "calendar" or not invitation.answer or \
            invitation.answered_at is None:
        return None
    return invitation


@bp.get("/p/<token>")
@limiter.limit("60 per minute")
def personal(token: str) -> Any:
    return _personal(token, "applications/personal.html")


@bp.route("/p/<token>/edit", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def personal_edit(token: str) -> Any:
    application = _by_token(token)
    if request.method == "GET":
        values = MultiDict(_values_of(application))
        return _personal(token, "applications/edit.html", values=values, errors={})
    try:
        lifecycle.edit(application, validate(schemas.ApplicationEdit, form_data(request.form, with_identity=False)))
    except Problem as problem:
        if problem.status not in (403, 409, 422):
            raise
        return _personal(token, "applications/edit.html", problem.status, values=request.form,
                         errors=form_errors(problem), problem=problem)
    flash(_("Your changes are saved."), "info")
    return redirect(url_for(".personal", token=token))


def _values_of(application: Any) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = [(k, getattr(application, k) or "") for k in (
        "name", "organisation", "job_title", "country", "role", "role_other", "work_relation", "challenges",
        "share_questions",
    )]
    common = set(COMMON_LANGUAGES)
    values += [("languages", code) for code in application.languages if code in common]
    values.append(("languages_other", ", ".join(c for c in application.languages if c not in common)))
    values += [("works_with", w) for w in application.works_with]
    values += [(f"key_question_{i + 1}", q) for i, q in enumerate(application.key_questions)]
    values += [("language", application.language or ""), ("timezone", application.timezone or "")]
    if application.offers_to_facilitate:
        values.append(("offers_to_facilitate", "yes"))
    return values


@bp.post("/p/<token>/respond")
def personal_respond(token: str) -> Any:
    application = _by_token(token)
    response = request.form.get("response", "")
    if response not in ("accept", "decline"):
        raise Problem(422, _("Invalid request"), [("response", _("Choose accept or decline."))])
    lifecycle.respond(application, response)
    flash(_("Thank you: you have accepted. See you there.") if response == "accept"
          else _("You have declined. Thank you for letting us know."), "info")
    return redirect(url_for(".personal", token=token))


@bp.post("/p/<token>/withdraw")
def personal_withdraw(token: str) -> Any:
    lifecycle.withdraw(_by_token(token))
    flash(_("Your application is withdrawn."), "info")
    return redirect(url_for(".personal", token=token))


@bp.post("/p/<token>/erase")
def personal_erase(token: str) -> Any:
    application = _by_token(token)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that your data should be erased."), "error")
        return redirect(url_for(".personal", token=token))
    slug = application.event.slug
    erasure.erase(application)
    flash(_("Your application and your personal data are erased. This link no longer works."), "info")
    return redirect(url_for("pages.event_page", slug=slug))
