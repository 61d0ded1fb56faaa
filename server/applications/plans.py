"""What a bulk or irreversible change to applications would do, in numbers (issue 14).

Each function returns a :class:`server.frontend.confirm.Plan` computed from the state as it
is now; the pages show it and wait for its token, the JSON API answers it for ``?dry_run=1``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from server.applications.deadline import deadline_label
from server.applications.proposals import propose
from server.applications.status import S
from server.clock import now
from server.core.timeutil import utc_offset_label
from server.frontend.confirm import Plan
from server.models import Application, Event, OutboundMail
from server.models.applications import PARTICIPATING


def _call_warning(event: Event) -> list[str]:
    if event.call_is_open(now()):
        return [_("The call is still open until %(deadline)s: people may still apply after this.",
                  deadline=deadline_label(event))]
    return []


def _mail_lines(moves: list[tuple[Application, str]]) -> list[str]:
    """Sentences counting the mails a set of status changes sends."""
    sent: Counter[str] = Counter()
    for a, new in moves:
        if new in PARTICIPATING:
            sent["invitation"] += 1
            continue
        if new == S.WAITLISTED:
            sent["waitlist"] += 1
        elif new == S.REJECTED:
            sent["decline"] += 1
        if a.status in PARTICIPATING:
            sent["cancellation"] += 1
    parts = [ngettext("%(num)d invitation", "%(num)d invitations", sent["invitation"]),
             ngettext("%(num)d wait-list mail", "%(num)d wait-list mails", sent["waitlist"]),
             ngettext("%(num)d decline", "%(num)d declines", sent["decline"])]
    lines = [_("%(list)s will be sent.", list=", ".join(parts))]
    if sent["cancellation"]:
        lines.append(ngettext("%(num)d calendar entry will be cancelled (people who lose their seat).",
                              "%(num)d calendar entries will be cancelled (people who lose their seat).",
                              sent["cancellation"]))
    return lines


def selection_plan(event: Event, include_unreviewed: bool) -> Plan:
    proposal = propose(event, include_unreviewed)
    sel, apps = proposal.selection, proposal.apps
    wanted = ([(i, S.INVITED) for i in sel.invited] + [(i, S.WAITLISTED) for i in sel.waitlist]
              + [(i, S.REJECTED) for i in sel.excluded])
    moves = [(apps[i], new) for i, new in wanted
             if not (apps[i].status == new or (new == S.INVITED and apps[i].status == S.ACCEPTED))]
    unchanged = len(wanted) - len(moves)
    lines = _mail_lines(moves)
    lines.append(ngettext("%(num)d person stays as they are.", "%(num)d people stay as they are.", unchanged))
    ex = sel.explanation
    warnings = _call_warning(event)
    if ex.filled < ex.seats:
        warnings.append(ngettext("%(num)d seat stays empty.", "%(num)d seats stay empty.", ex.seats - ex.filled))
    warnings += [_("A target is not met: %(message)s", message=i.message) for i in ex.unmet]
    if ex.unreviewed_invited:
        warnings.append(ngettext("%(num)d person is invited without any review.",
                                 "%(num)d people are invited without any review.", len(ex.unreviewed_invited)))
    return Plan(
        action="apply-selection", slug=event.slug, heading=_("Apply this selection"), consequences=lines,
        warnings=warnings, facts={"proposal": proposal.id, "moves": [[a.id, a.status, new] for a, new in moves]},
        fields={"proposal_id": proposal.id, "include_unreviewed": "1" if include_unreviewed else ""},
        button=_("Send these mails"), cancel_url=url_for("applications_organise.selection", slug=event.slug),
    )


def decisions_plan(event: Event, people: list[Application], decision: str) -> Plan:
    """Invite, wait-list or decline several applications at once."""
    from server.applications.lifecycle import DECISIONS

    new = DECISIONS[decision]
    moves = [(a, new) for a in people
             if a.status not in (S.WITHDRAWN, S.ERASED)
             and not (a.status == new or (new == S.INVITED and a.status == S.ACCEPTED))]
    lines = _mail_lines(moves)
    skipped = len(people) - len(moves)
    if skipped:
        lines.append(ngettext("%(num)d chosen person is skipped (already so, withdrawn or erased).",
                              "%(num)d chosen people are skipped (already so, withdrawn or erased).", skipped))
    warnings = _call_warning(event)
    seats_after = sum(1 for a in event_participants(event)) + (len(moves) if new in PARTICIPATING else 0)
    if new in PARTICIPATING and seats_after > event.seats:
        warnings.append(_("This invites more people than there are seats (%(seats)d).", seats=event.seats))
    heading = {"invite": _("Invite the chosen people"), "waitlist": _("Wait-list the chosen people"),
               "decline": _("Decline the chosen people")}[decision]
    return Plan(action=f"decisions:{decision}", slug=event.slug, heading=heading, consequences=lines,
                warnings=warnings, facts=[[a.id, a.status, new] for a, new in moves],
                fields={"decision": decision, "ids": ",".join(str(a.id) for a in people)}, button=heading,
                cancel_url=url_for("applications_organise.table", slug=event.slug))


def event_participants(event: Event) -> list[Application]:
    from server.applications.queries import event_apps

    return event_apps(event, PARTICIPATING)


def _label(event: Event, instant: datetime) -> str:
    local = instant.astimezone(event.zone)
    return f"{local:%A %-d %B %Y, %H:%M:%S} {event.timezone} ({utc_offset_label(instant, event.zone)})"


def call_plan(event: Event, action: str, new_deadline: datetime | None = None) -> Plan:
    """Closing stops the form at once; reopening (or extending a closed call) starts it again."""
    from server.applications.queries import event_apps

    count = len(event_apps(event, tuple(S)))
    at = now()
    if action == "close":
        heading = _("Close the call now")
        lines = [_("The application form stops taking applications now."),
                 ngettext("%(num)d application is in.", "%(num)d applications are in.", count)]
        warnings = ([_("The deadline, %(deadline)s, has not passed yet.", deadline=deadline_label(event))]
                    if at <= event.application_deadline else [])
    else:
        until = new_deadline or event.application_deadline
        heading = _("Reopen the call")
        lines = [_("The application form takes applications again until %(deadline)s.",
                   deadline=_label(event, until))]
        warnings = ([_("The deadline has passed: the form stays closed until you extend it.")]
                    if at > until else [])
    return Plan(action=f"call:{action}", slug=event.slug, heading=heading, consequences=lines, warnings=warnings,
                facts={"closed": event.call_closed, "deadline": event.application_deadline.isoformat(),
                       "to": new_deadline.isoformat() if new_deadline else None},
                fields={"action": action, **({"deadline": request.form.get("deadline", "")} if new_deadline else {})},
                button=heading, danger=action == "close",
                cancel_url=url_for("applications_organise.table", slug=event.slug))


def erase_plan(application: Application) -> Plan:
    from sqlalchemy import func, select

    from server.extensions import db

    mails = db.session.scalar(select(func.count()).select_from(OutboundMail)
                              .where(OutboundMail.application_id == application.id)) or 0
    name = application.name or _("(erased)")
    lines = [_("The name, address, organisation and answers of %(name)s are erased for good; "
               "only their role, country and region stay, for counts.", name=name),
             ngettext("%(num)d mail kept for them is deleted.", "%(num)d mails kept for them are deleted.", mails)]
    if application.status in PARTICIPATING:
        lines.append(_("Their calendar entry is cancelled by mail, and their seat becomes free."))
    return Plan(action="erase", slug=application.event.slug, heading=_("Erase %(name)s", name=name),
                consequences=lines, warnings=[_("This cannot be undone.")],
                facts={"id": application.id, "status": application.status, "email": bool(application.email)},
                button=_("Erase for good"),
                cancel_url=url_for("applications_organise.application", slug=application.event.slug,
                                   application_id=application.id))


def dry_run_body(plan: Plan) -> dict[str, Any]:
    return {"dry_run": True, **plan.counts()}
