"""The agenda editor's per-item setting for the applicants' key questions: add them to the
item's Q&A when it starts (yes/no) and whose (everyone's, one region's, one country's)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required
from sqlalchemy import select

from server.core.vocab import REGION_LABELS, country_name
from server.events import operations as event_ops
from server.extensions import db
from server.live import seeding
from server.models import AgendaItem, Application
from server.sessions.protocol import LiveError

bp = Blueprint("frontend_keyquestions", __name__)

REGION_WORDS = {
    "eu": lazy_gettext("EU member states"), "other_europe": lazy_gettext("Other Europe"),
    "central_asia": lazy_gettext("Central Asia"), "other": lazy_gettext("Other regions"),
}


def seed_form(item: AgendaItem) -> dict[str, Any]:
    """What the editor shows for one item: the setting and the scopes to choose from."""
    on_start, scope = seeding.setting(item)
    day = item.day
    codes = set(db.session.scalars(select(Application.country).where(Application.event_id == day.event_id)))
    codes |= {s.get("country", "") for s in item.speakers}
    countries = sorted((c for c in codes if c), key=lambda c: _country(c))
    choices = [("all", str(_("Everyone who shared their questions")))]
    choices += [(f"region:{r.value}", str(REGION_WORDS.get(r.value, label))) for r, label in REGION_LABELS.items()]
    choices += [(f"country:{c}", _country(c)) for c in countries]
    if str(scope) not in {value for value, _label in choices}:
        choices.append((str(scope), str(scope)))
    return {"on_start": on_start, "scope": str(scope), "choices": choices}


def _country(code: str) -> str:
    try:
        return country_name(code)
    except ValueError:
        return code


@bp.post("/organise/<slug>/agenda/items/<int:item_id>/key-questions")
@login_required
def save(slug: str, item_id: int) -> Any:
    from server.frontend.organise import _staff

    _staff()
    event = event_ops.get_event(slug)
    item = event_ops.get_item(event, item_id)
    try:
        seeding.save_setting(item, request.form.get("on_start") == "yes", request.form.get("scope", "all"))
    except LiveError as error:
        db.session.rollback()
        flash(_("Not saved: %(field)s: %(reason)s", field=error.field, reason=error.reason), "error")
    else:
        flash(_("Saved the key questions setting of “%(title)s”.", title=item.title), "info")
    return redirect(url_for("frontend_organise.agenda", slug=slug) + f"#item-{item.id}")
