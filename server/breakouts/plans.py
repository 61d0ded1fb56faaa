"""What publishing a round or moving a published room's member would do, in numbers (issue 14)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from server.breakouts import summary
from server.frontend.confirm import Plan
from server.models import BreakoutRound, Event


def _warnings(metrics: dict[str, Any], rooms: list[dict[str, Any]], unplaced: int) -> list[str]:
    spread = metrics.get("spread_violations", {})
    found = []
    if spread.get("region"):
        found.append(ngettext("%(num)d seat is off an even spread of regions.",
                              "%(num)d seats are off an even spread of regions.", spread["region"]))
    if spread.get("role"):
        found.append(ngettext("%(num)d seat is off an even spread of roles.",
                              "%(num)d seats are off an even spread of roles.", spread["role"]))
    if metrics.get("rooms_lacking_region"):
        found.append(ngettext("%(num)d room lacks a region that could have been there.",
                              "%(num)d rooms lack a region that could have been there.",
                              metrics["rooms_lacking_region"]))
    if metrics.get("rooms_without_facilitator"):
        found.append(ngettext("%(num)d room has no facilitator.", "%(num)d rooms have no facilitator.",
                              metrics["rooms_without_facilitator"]))
    if metrics.get("hard_violations"):
        found.append(ngettext("%(num)d hard rule is broken (sizes, locks, languages or capacity).",
                              "%(num)d hard rules are broken (sizes, locks, languages or capacity).",
                              metrics["hard_violations"]))
    empty = [r["name"] for r in rooms if not r["members"]]
    if empty:
        found.append(_("Empty rooms: %(rooms)s.", rooms=", ".join(empty)))
    if unplaced:
        found.append(ngettext("%(num)d participant has no room yet and will be placed automatically.",
                              "%(num)d participants have no room yet and will be placed automatically.", unplaced))
    return found


def _facilitators(have: int, rooms: int) -> list[str]:
    if have >= rooms:
        return []
    return [ngettext("Only %(num)d facilitator for %(rooms)d rooms (participants and staff): mark more on the "
                     "applications' pages or among the staff on the rounds' page.",
                     "Only %(num)d facilitators for %(rooms)d rooms (participants and staff): mark more on the "
                     "applications' pages or among the staff on the rounds' page.",
                     have, rooms=rooms)]


def publish_plan(event: Event, rnd: BreakoutRound) -> Plan:
    data = summary.round_dict(rnd, event.slug)
    facilitators = int(data["facilitators"])  # participants and staff in the rooms
    people = sum(len(r["members"]) for r in data["rooms"]) + len(data["unplaced"])
    lines = [ngettext("%(num)d participant will see their room now, live and in their calendar feed.",
                      "%(num)d participants will see their room now, live and in their calendar feed.", people),
             ngettext("%(num)d room.", "%(num)d rooms.", len(data["rooms"]))]
    facts = {"round": rnd.id, "status": rnd.status, "version": rnd.version,
             "rooms": [[r["id"], sorted(m["application_id"] for m in r["members"])] for r in data["rooms"]]}
    return Plan(action="publish-round", slug=event.slug, heading=_("Publish “%(title)s”", title=rnd.title),
                consequences=lines, warnings=_facilitators(facilitators, len(data["rooms"]))
                + _warnings(data["metrics"], data["rooms"], len(data["unplaced"])),
                facts=facts, button=_("Publish"), danger=False,
                cancel_url=url_for("breakouts_pages.preview", slug=event.slug, round_id=rnd.id))


def move_plan(event: Event, rnd: BreakoutRound, application_id: int, room_id: int) -> Plan:
    data = summary.round_dict(rnd, event.slug)
    rooms = {r["id"]: r for r in data["rooms"]}
    here = next((r for r in data["rooms"] if any(m["application_id"] == application_id for m in r["members"])), None)
    there = rooms.get(room_id)
    name = next((m["name"] for r in data["rooms"] for m in r["members"] if m["application_id"] == application_id),
                str(application_id))
    told = 1 + sum(len(r["members"]) for r in (here, there) if r) - (1 if here else 0)
    lines = [_("%(name)s moves from %(old)s to %(new)s.", name=name, old=here["name"] if here else _("no room"),
               new=there["name"] if there else "?"),
             ngettext("%(num)d person is told at once (the moved person and both rooms).",
                      "%(num)d people are told at once (the moved person and both rooms).", told)]
    return Plan(action="move", slug=event.slug, heading=_("Move %(name)s", name=name), consequences=lines,
                facts={"round": rnd.id, "person": application_id, "from": here["id"] if here else None,
                       "to": room_id}, fields={"application_id": str(application_id), "room_id": str(room_id)},
                button=_("Move"), danger=False,
                cancel_url=url_for("breakouts_pages.preview", slug=event.slug, round_id=rnd.id))
