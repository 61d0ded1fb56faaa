"""Reviews: several reviewers score 1–5; others' scores stay hidden until you have scored (no anchoring)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.applications import schemas
from server.applications.status import S
from server.extensions import db
from server.models import Application, Review, User
from server.problems import Problem


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    mean: float | None  # hidden (None) until the reader has scored it: no anchoring
    spread: int | None
    mine: int | None
    true_mean: float | None  # for the selection, never shown to someone who has not scored

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "mean": self.mean, "spread": self.spread, "mine": self.mine}


def summarise(application: Application, reader_id: int | None) -> ReviewSummary:
    scores = [r.score for r in application.reviews]
    mine = next((r.score for r in application.reviews if r.reviewer_id == reader_id), None)
    true_mean = round(statistics.fmean(scores), 2) if scores else None
    visible = mine is not None
    return ReviewSummary(
        count=len(scores),
        mean=true_mean if visible else None,
        spread=(max(scores) - min(scores)) if visible and scores else None,
        mine=mine,
        true_mean=true_mean,
    )


def review(application: Application, reviewer: User, data: schemas.ReviewIn) -> Review:
    if application.status == S.ERASED:
        raise Problem(409, "Erased", [("application", "this application has been erased")])
    existing = next((r for r in application.reviews if r.reviewer_id == reviewer.id), None)
    if existing is None:
        existing = Review(application=application, reviewer_id=reviewer.id, score=data.score, comment=data.comment)
        db.session.add(existing)
    else:
        existing.score, existing.comment = data.score, data.comment
    db.session.commit()
    return existing


def reviews_visible_to(application: Application, reader_id: int) -> list[dict[str, Any]] | None:
    if not any(r.reviewer_id == reader_id for r in application.reviews):
        return None
    names = _reviewer_names([r.reviewer_id for r in application.reviews])
    return [
        {"reviewer": names.get(r.reviewer_id, "?"), "score": r.score, "comment": r.comment,
         "mine": r.reviewer_id == reader_id}
        for r in sorted(application.reviews, key=lambda r: (r.reviewer_id != reader_id, r.created_at))
    ]


def _reviewer_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: (u.name or u.email) for u in db.session.scalars(select(User).where(User.id.in_(ids)))}

