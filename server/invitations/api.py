"""Organisers' view of every message's delivery state, retry, and feed-token resets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from server import mail as mailer
from server.api.openapi import documented
from server.auth import organiser_page, organiser_required
from server.events import operations as ops
from server.extensions import csrf, db
from server.invitations import links, schemas
from server.models import Application, Event, MailStatus, OutboundMail
from server.problems import Problem, not_found

bp = Blueprint("invitations", __name__)


def _mail_dict(mail: OutboundMail) -> dict[str, Any]:
    return {
        "id": mail.id, "kind": mail.kind, "application_id": mail.application_id,
        "to": mail.to_address, "subject": mail.subject, "status": mail.status,
        "attempts": mail.attempts, "last_error": mail.last_error,
        "created_at": mail.created_at.isoformat(),
        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
        "next_attempt_at": mail.next_attempt_at.isoformat() if mail.next_attempt_at else None,
    }


def _event_mail(event: Event) -> tuple[list[OutboundMail], dict[str, int]]:
    rows = list(db.session.scalars(
        select(OutboundMail).where(OutboundMail.event_id == event.id).order_by(OutboundMail.id)
    ))
    counts: dict[str, int] = dict(db.session.execute(  # type: ignore[arg-type]
        select(OutboundMail.status, func.count(OutboundMail.id))
        .where(OutboundMail.event_id == event.id).group_by(OutboundMail.status)
    ).all())
    return rows, counts


def _retry(event: Event, mail_id: int) -> OutboundMail:
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.event_id != event.id:
        raise not_found("mail")
    try:
        mailer.retry(mail)
    except ValueError as exc:
        raise Problem(409, _("Cannot retry"), [("status", str(exc).split(": ", 1)[-1])]) from None
    db.session.commit()
    db.session.refresh(mail)
    return mail


@bp.get("/api/events/<slug>/mail")
@organiser_required
@documented("Every message of the event with its delivery state (queued, sending, sent, failed "
            "with the reason, skipped)", responses={200: schemas.MailListOut}, auth="organiser",
            tags=("invitations",))
def list_mail(slug: str) -> Any:
    rows, counts = _event_mail(ops.get_event(slug))
    return jsonify(mail=[_mail_dict(m) for m in rows], counts=counts)


@bp.post("/api/events/<slug>/mail/<int:mail_id>/retry")
@organiser_required
@documented("Send a failed (or still queued) message again; 409 when it is sent or sending",
            responses={202: schemas.MailOut}, auth="organiser", tags=("invitations",))
def retry_mail(slug: str, mail_id: int) -> Any:
    mail = _retry(ops.get_event(slug), mail_id)
    response = jsonify(_mail_dict(mail))
    response.status_code = 202
    return response


@bp.post("/api/events/<slug>/participants/<int:application_id>/feed-token")
@organiser_required
@documented("Reset a participant's calendar feed token: the old feed URL answers 404 from now on",
            responses={200: schemas.FeedUrlsOut}, auth="organiser", tags=("invitations",))
def reset_feed_by_organiser(slug: str, application_id: int) -> Any:
    event = ops.get_event(slug)
    application = db.session.get(Application, application_id)
    if application is None or application.event_id != event.id or application.status == "erased":
        raise not_found("participant")
    https_url, webcal_url = links.personal_feed_url(application, rotate=True)
    return jsonify(https_url=https_url, webcal_url=webcal_url)


def _by_access_token(token: str) -> Application:
    application = links.application_by_token("access_token_hash", token)
    if application is None or application.status == "erased":
        raise not_found("personal link")
    return application


@bp.get("/api/p/<token>/calendar-feed")
@documented("The participant's personal calendar feed URLs (created on first use, then stable)",
            responses={200: schemas.FeedUrlsOut}, auth="token", tags=("invitations",))
def get_own_feed(token: str) -> Any:
    https_url, webcal_url = links.personal_feed_url(_by_access_token(token))
    return jsonify(https_url=https_url, webcal_url=webcal_url)


@bp.post("/api/p/<token>/calendar-feed")
@csrf.exempt
@documented("Reset the participant's own feed token (the personal link authenticates; the old "
            "feed URL answers 404 from now on)",
            responses={200: schemas.FeedUrlsOut}, auth="token", tags=("invitations",))
def reset_own_feed(token: str) -> Any:
    https_url, webcal_url = links.personal_feed_url(_by_access_token(token), rotate=True)
    return jsonify(https_url=https_url, webcal_url=webcal_url)


# ----------------------------------------------------------------------------- page


@bp.get("/organise/<slug>/mail")
@organiser_page
def mail_page(slug: str) -> Any:
    from server.events.pages import COMMON_ZONES, viewer_zone
    from server.invitations import mail_view

    event = ops.get_event(slug)
    rows, counts = _event_mail(event)
    kind, state = request.args.get("kind", ""), request.args.get("state", "")
    reader = viewer_zone()
    shown = [(m, mail_view.when(m.created_at, event.zone, reader), mail_view.when(m.sent_at, event.zone, reader))
             for m in mail_view.filtered(rows, kind, state)]
    return render_template("invitations/mail.html", event=event, rows=shown, counts=counts, kind=kind,
                           state=state, kinds=mail_view.event_kinds(event, rows), states=mail_view.STATE_LABELS,
                           kind_label=mail_view.kind_label, reader=reader, zones=COMMON_ZONES)


@bp.get("/organise/<slug>/mail/<int:mail_id>")
@organiser_page
def mail_message(slug: str, mail_id: int) -> Any:
    """One message as it was sent, its personal links masked."""
    from server.events.pages import viewer_zone
    from server.invitations import mail_view

    event = ops.get_event(slug)
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.event_id != event.id:
        raise not_found("mail")
    reader = viewer_zone()
    sent, again = mail_view.as_sent(mail), None
    if sent is None and mail.status == MailStatus.SENT:
        again = mail_view.written_again(mail)
    return render_template("invitations/message.html", event=event, m=mail, sent=sent or again, again=bool(again),
                           kind_label=mail_view.kind_label(mail.kind), states=mail_view.STATE_LABELS,
                           created=mail_view.when(mail.created_at, event.zone, reader),
                           sent_at=mail_view.when(mail.sent_at, event.zone, reader))


@bp.post("/organise/<slug>/mail/<int:mail_id>/retry")
@organiser_page
def mail_page_retry(slug: str, mail_id: int) -> Any:
    try:
        mail = _retry(ops.get_event(slug), mail_id)
        flash(_("Message to %(address)s queued again.", address=mail.to_address), "ok")
    except Problem as problem:
        flash(_("Not retried: %(reason)s.", reason=problem.title), "error")
    return redirect(url_for(".mail_page", slug=slug))
