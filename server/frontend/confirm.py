"""Confirmation before anything irreversible or mass (issue 14).

A page that would mail many people, publish rooms, close the call or erase data first states
its consequences in numbers (a :class:`Plan`) and re-posts the same form with a confirmation
token. The token is an HMAC of the exact plan (who gets what, as things stand now), the
action, the event and the organiser: if anything changed since the organiser looked — or the
same confirmation arrives a second time, after the change was made — the plan differs, the
token no longer matches, and nothing happens. That is what makes a replay harmless.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

TOKEN_FIELD = "confirm_token"


@dataclass
class Plan:
    """What an action would do: sentences with numbers, warnings, and the exact facts bound by the token."""

    action: str
    slug: str
    heading: str
    consequences: list[str]
    facts: Any
    warnings: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # the form's own fields, posted again
    button: str = ""
    danger: bool = True
    cancel_url: str = ""

    def token(self) -> str:
        body = json.dumps([self.action, self.slug, _user_id(), self.facts], sort_keys=True, default=str)
        key = str(current_app.config["SECRET_KEY"]).encode()
        return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()

    def counts(self) -> dict[str, Any]:
        """The dry-run answer of the JSON API: the same consequences, nothing changed."""
        return {"action": self.action, "consequences": self.consequences, "warnings": self.warnings,
                "facts": self.facts, "confirm_token": self.token()}


def _user_id() -> int | None:
    return int(current_user.id) if current_user.is_authenticated else None


def confirmed(plan: Plan) -> bool:
    """True only when the form carries the token of exactly this plan."""
    given = request.form.get(TOKEN_FIELD, "")
    return bool(given) and hmac.compare_digest(given, plan.token())


def ask(plan: Plan) -> Any:
    """The confirmation page (nothing has changed). A stale or replayed token gets 409 and the
    fresh plan, so the organiser sees what would happen now."""
    stale = bool(request.form.get(TOKEN_FIELD))
    html = render_template("organise/confirm.html", plan=plan, token=plan.token(), stale=stale,
                           action_url=request.path, token_field=TOKEN_FIELD,
                           button=plan.button or _("Confirm"))
    return html, 409 if stale else 200


def dry_run_requested() -> bool:
    return request.args.get("dry_run", "").strip().lower() in ("1", "true", "yes")
