"""What an organiser should do next, computed from the meeting's state (issue 14 dashboard)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from server.applications.deadline import deadline_label
from server.applications.waitlist import waitlist_offer
from server.clock import now
from server.extensions import db
from server.models import AgendaDay, AgendaItem, Application, BreakoutRound, Event, OutboundMail, Review
from server.models.applications import ApplicationStatus as S
from server.models.mail import MailStatus


@dataclass(frozen=True)
class Step:
    text: str
    link: str
    link_text: str
    urgent: bool = False


def _count(*where: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Application).where(*where)) or 0)


def _application_steps(event: Event) -> list[Step]:
    table = "applications_organise.table"
    steps = []
    reviewed = select(Review.application_id)
    unreviewed = _count(Application.event_id == event.id, Application.status == S.SUBMITTED,
                        Application.id.not_in(reviewed))
    if unreviewed:
        steps.append(Step(ngettext("%(num)d application has no review yet.",
                                   "%(num)d applications have no review yet.", unreviewed),
                          url_for(table, slug=event.slug, reviewed="none", status="submitted"), _("Review them")))
    undecided = _count(Application.event_id == event.id, Application.status == S.SUBMITTED)
    if undecided and not event.call_is_open(now()):
        steps.append(Step(ngettext("The call is closed and %(num)d applicant is still waiting for a decision.",
                                   "The call is closed and %(num)d applicants are still waiting for a decision.",
                                   undecided),
                          url_for("applications_organise.selection", slug=event.slug), _("Decide in the selection"),
                          urgent=True))
    free, offer = waitlist_offer(event)
    if free and offer is not None:
        steps.append(Step(ngettext("%(num)d seat is free; the wait-list would offer it to %(name)s.",
                                   "%(num)d seats are free; the wait-list would offer one to %(name)s.", free,
                                   name=offer.name or "?"),
                          url_for("applications_organise.selection", slug=event.slug), _("Look at the wait-list")))
    invited = _count(Application.event_id == event.id, Application.status == S.INVITED)
    if invited:
        steps.append(Step(ngettext("%(num)d invitation is not answered yet.",
                                   "%(num)d invitations are not answered yet.", invited),
                          url_for(table, slug=event.slug, status="invited"), _("See who")))
    return steps


def _other_steps(event: Event) -> list[Step]:
    steps = []
    failed = int(db.session.scalar(select(func.count()).select_from(OutboundMail).where(
        OutboundMail.event_id == event.id, OutboundMail.status == MailStatus.FAILED)) or 0)
    if failed:
        steps.append(Step(ngettext("%(num)d mail could not be delivered.", "%(num)d mails could not be delivered.",
                                   failed), url_for("invitations.mail_page", slug=event.slug, state="failed"),
                          _("Look and retry"), urgent=True))
    items = list(db.session.scalars(select(AgendaItem).join(AgendaDay).where(AgendaDay.event_id == event.id)))
    rounds = list(db.session.scalars(select(BreakoutRound).where(BreakoutRound.event_id == event.id)))
    with_round = {r.agenda_item_id for r in rounds}
    unproposed = [i for i in items if i.kind == "breakout" and i.id not in with_round]
    drafts = [r for r in rounds if r.status != "published"]
    rounds_url = f"/organise/{event.slug}/rounds"
    if unproposed:
        steps.append(Step(ngettext("%(num)d break-out slot in the agenda has no round of rooms yet.",
                                   "%(num)d break-out slots in the agenda have no round of rooms yet.",
                                   len(unproposed)), rounds_url, _("Propose rooms")))
    if drafts:
        steps.append(Step(ngettext("%(num)d round of rooms is not published.", "%(num)d rounds of rooms are not "
                                   "published.", len(drafts)), rounds_url, _("Check and publish")))
    silent = [i for i in items if i.kind == "presentation" and not i.speakers]
    if silent:
        steps.append(Step(ngettext("%(num)d presentation has no speaker.", "%(num)d presentations have no speaker.",
                                   len(silent)), url_for("frontend_organise.agenda", slug=event.slug)
                          + f"#item-{silent[0].id}", _("Add speakers")))
    if not items:
        steps.append(Step(_("The agenda is empty."), url_for("frontend_organise.agenda", slug=event.slug),
                          _("Add items")))
    return steps


def next_steps(event: Event) -> list[Step]:
    """Each thing that waits for the organisers, as a sentence with a link to where to act."""
    if event.status == "cancelled":
        return [Step(_("This meeting is cancelled."), url_for("events_organise.edit", slug=event.slug),
                     _("Reinstate it"))]
    steps = _application_steps(event) + _other_steps(event)
    if event.call_is_open(now()):
        steps.append(Step(_("The call is open until %(deadline)s.", deadline=deadline_label(event)),
                          url_for("applications_organise.table", slug=event.slug), _("Close or extend it")))
    return steps
