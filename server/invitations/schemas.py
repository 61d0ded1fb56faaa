"""JSON shapes of the invitations API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class MailOut(BaseModel):
    id: int
    kind: str = Field(description="invitation | update | cancellation | reminder | …")
    application_id: int | None
    to: str
    subject: str
    status: str = Field(description="queued | sending | sent | failed | skipped")
    attempts: int
    last_error: str | None = Field(description="the reason of the last failure or deferral")
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None


class MailListOut(BaseModel):
    mail: list[MailOut]
    counts: dict[str, int] = Field(description="number of messages per status")


class FeedUrlsOut(BaseModel):
    https_url: str
    webcal_url: str
