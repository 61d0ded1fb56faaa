"""JSON shapes of break-out rounds (validation and OpenAPI in one place)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from server.schemas import Strict

Title = Annotated[str, Field(min_length=1, max_length=200)]
Topic = Annotated[str, Field(max_length=300)]
Mode = Literal["mixed", "role"]

PLACEHOLDERS = ("event", "room")
_BRACED = re.compile(r"\{([^{}]*)\}")
MAX_ROOMS = 100


def check_video_template(value: str) -> str:
    """An http(s) URL whose only placeholders are ``{event}`` and ``{room}`` (empty: no link)."""
    value = value.strip()
    if not value:
        return ""
    for name in _BRACED.findall(value):
        if name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{name}}}: use only {{event}} and {{room}}")
    if _BRACED.sub("", value).count("{") or _BRACED.sub("", value).count("}"):
        raise ValueError("has an unmatched brace: use only {event} and {room}")
    sample = render_video_url(value, "event", 1)
    parts = urlsplit(sample)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in sample):
        raise ValueError("must be an http:// or https:// URL, e.g. https://meet.jit.si/{event}-room-{room}")
    return value


def render_video_url(template: str, event_slug: str, room_number: int) -> str:
    return template.replace("{event}", event_slug).replace("{room}", str(room_number)) if template else ""




class _RoundFields(Strict):
    @field_validator("video_url_template", check_fields=False)
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        return None if value is None else check_video_template(value)

    @field_validator("separations", check_fields=False)
    @classmethod
    def _separations(cls, value: list[list[int]] | None) -> list[list[int]] | None:
        if value is None:
            return None
        for group in value:
            if len(group) < 2:
                raise ValueError("each group names at least two application ids")
        return value


class RoundIn(_RoundFields):
    title: Title
    agenda_item_id: int | None = Field(None, description="the break-out item of the agenda this round is for")
    room_count: Annotated[int, Field(ge=1, le=MAX_ROOMS)] | None = Field(
        None, description="number of rooms; with room_size too, rooms hold at most room_size")
    room_size: Annotated[int, Field(ge=1, le=500)] | None = Field(
        None, description="people per room; alone it asks for ceil(participants / size) rooms")
    topics: Annotated[list[Topic], Field(max_length=MAX_ROOMS)] = Field(
        default_factory=list, description="one topic per room, in room order")
    mode: Mode = Field("mixed", description="mixed: spread roles and regions; role: rooms themed by role group")
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    video_url_template: Annotated[str, Field(max_length=400)] = Field(
        "", description="http(s) URL with {event} and {room} placeholders, e.g. https://meet.jit.si/{event}-{room}")
    separate_organisations: bool = True
    separations: Annotated[list[list[int]], Field(max_length=500)] = Field(
        default_factory=list, description="groups of application ids never to share a room")


class RoundPatch(_RoundFields):
    title: Title | None = None
    agenda_item_id: int | None = None
    room_count: Annotated[int, Field(ge=1, le=MAX_ROOMS)] | None = None
    room_size: Annotated[int, Field(ge=1, le=500)] | None = None
    topics: Annotated[list[Topic], Field(max_length=MAX_ROOMS)] | None = None
    mode: Mode | None = None
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    video_url_template: Annotated[str, Field(max_length=400)] | None = None
    separate_organisations: bool | None = None
    separations: Annotated[list[list[int]], Field(max_length=500)] | None = None


class MoveIn(Strict):
    application_id: int
    room_id: int
    lock: bool | None = Field(None, description="lock the person in the new room (default: true before "
                                                "publishing, unchanged after)")


class LockIn(Strict):
    application_id: int
    locked: bool


class LateJoinerIn(Strict):
    application_id: int


# ------------------------------------------------------------------ answers (OpenAPI only)


class MemberOut(BaseModel):
    application_id: int
    name: str
    role: str
    role_label: str
    country: str
    region: str
    organisation: str
    facilitator: bool
    locked: bool


class StaffFacilitatorOut(BaseModel):
    user_id: int
    name: str
    role: Literal["organiser", "moderator"]


class RoomOut(BaseModel):
    id: int
    number: int
    name: str
    topic: str
    role_group: str | None
    video_url: str
    count: int
    explanation: str
    members: list[MemberOut]
    staff_facilitator: StaffFacilitatorOut | None = Field(
        description="the staff member who facilitates this room (rooms without a participant facilitator)")


class RoundOut(BaseModel):
    id: int
    event: str
    title: str
    agenda_item_id: int | None
    mode: Mode
    room_count: int | None
    room_size: int | None
    topics: list[str]
    seed: int
    video_url_template: str
    separate_organisations: bool
    separations: list[list[int]]
    status: Literal["draft", "published"]
    version: int
    created_at: str
    published_at: str | None
    previous_round_ids: list[int]
    metrics: dict[str, Any]
    explanations: list[str]
    facilitators: int = Field(description="facilitators in the rooms: participants and staff")
    rooms: list[RoomOut]
    unplaced: list[MemberOut]


class RoundListOut(BaseModel):
    rounds: list[RoundOut]


class LateJoinerOut(BaseModel):
    round: RoundOut
    application_id: int
    room_id: int
    reason: str


# ------------------------------------------------------------------ facilitators (issue 14)


class FacilitatorIn(Strict):
    """Name exactly one person: a staff member (user_id) or an applicant (application_id)."""

    user_id: int | None = Field(None, description="an organiser's or moderator's account id")
    application_id: int | None = Field(None, description="an application of this event")
    facilitator: bool = Field(description="true: they facilitate break-out rooms; false: no longer")


class StaffRoomOut(BaseModel):
    round_id: int
    round_title: str
    status: Literal["draft", "published"]
    room_id: int
    room_name: str
    topic: str
    video_url: str


class StaffMemberOut(StaffFacilitatorOut):
    facilitator: bool
    rooms: list[StaffRoomOut]


class ParticipantFacilitatorOut(BaseModel):
    application_id: int
    name: str
    status: str
    offers_to_facilitate: bool


class FacilitatorsOut(BaseModel):
    participants: list[ParticipantFacilitatorOut]
    staff: list[StaffMemberOut]
