"""The live agenda of one event as a small state machine, and break-out rooms' notes.

States: ``idle`` (not started) -> ``plenary`` (an agenda item is on) <-> ``breakouts``
(a round of rooms with a countdown). Every transition validates first, raises ``LiveError``
on an illegal move and changes nothing; an accepted one bumps the version by one.

    idle --start_item/next_item--> plenary --open_breakouts--> breakouts
    plenary --start_item/next_item--> plenary
    breakouts --extend/close (countdown)--> breakouts --bring_back--> plenary
    announce: any state (to rooms only during break-outs)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from server.sessions.protocol import Change, LiveError, PersonId, iso, stream_name, utc
from server.sessions.qa_report import csv_cell

MAX_BREAKOUT_MINUTES = 180
MAX_EXTEND_MINUTES = 120
MAX_CLOSE_GRACE_SECONDS = 600
ANNOUNCEMENT_MAX_LENGTH = 1_000
ANNOUNCEMENTS_KEPT = 20  # a late joiner's snapshot shows the recent ones, not the whole day
NOTES_MAX_LENGTH = 20_000


class Mode(StrEnum):
    IDLE = "idle"
    PLENARY = "plenary"
    BREAKOUTS = "breakouts"


AnnouncementTarget = Literal["everyone", "rooms"]


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    text: str
    target: AnnouncementTarget
    at: datetime
    by: PersonId | None = None


@dataclass
class LiveState:
    """What is on now in one event; ``agenda`` is the ordered agenda item ids."""

    event_id: int
    agenda: list[int] = field(default_factory=list)
    version: int = 0
    mode: Mode = Mode.IDLE
    current_item: int | None = None
    round_id: int | str | None = None  # the break-out round open now (or last opened)
    breakouts_opened_at: datetime | None = None
    breakouts_end_at: datetime | None = None
    closing: bool = False  # closed early: the countdown is the grace period before return
    announcements: list[Announcement] = field(default_factory=list)
    next_announcement_id: int = 1
    updated_at: datetime | None = None

    # -- reading ------------------------------------------------------------------------------

    def remaining(self, now: datetime) -> timedelta | None:
        """Return the break-out time left (negative when overrun), or None outside break-outs."""
        if self.mode is not Mode.BREAKOUTS or self.breakouts_end_at is None:
            return None
        return self.breakouts_end_at - utc(now)

    def snapshot(self, now: datetime) -> dict[str, object]:
        """Return the full state, JSON-ready; ``server_now`` lets clients correct clock skew."""
        remaining = self.remaining(now)
        return {
            "stream": stream_name("agenda", self.event_id),
            "event_id": self.event_id,
            "version": self.version,
            "mode": self.mode.value,
            "current_item": self.current_item,
            "agenda": list(self.agenda),
            "round_id": self.round_id if self.mode is Mode.BREAKOUTS else None,
            "breakouts_opened_at": iso(self.breakouts_opened_at),
            "breakouts_end_at": iso(self.breakouts_end_at),
            "closing": self.closing,
            "remaining_seconds": None if remaining is None else remaining.total_seconds(),
            "server_now": iso(utc(now)),
            "announcements": [announcement_payload(a) for a in self.announcements],
        }

    # -- transitions ----------------------------------------------------------------------------

    def start_item(self, item_id: int, now: datetime) -> Change:
        """Put an agenda item on (from idle or the plenary, not while rooms are open)."""
        moment = utc(now)
        self._require_not_breakouts("start an item")
        if item_id not in self.agenda:
            raise LiveError("item_id", "not on this event's agenda")
        if self.mode is Mode.PLENARY and item_id == self.current_item:
            raise LiveError("item_id", "already the current item")
        self.mode = Mode.PLENARY
        self.current_item = item_id
        return self._bump("start_item", moment, item_id)

    def next_item(self, now: datetime) -> Change:
        """Move to the next agenda item (the first one when not started yet)."""
        moment = utc(now)
        self._require_not_breakouts("move to the next item")
        if not self.agenda:
            raise LiveError("agenda", "the agenda is empty")
        if self.mode is Mode.IDLE or self.current_item is None:
            following = self.agenda[0]
        else:
            index = self.agenda.index(self.current_item)
            if index + 1 >= len(self.agenda):
                raise LiveError("item_id", "the current item is the last one")
            following = self.agenda[index + 1]
        self.mode = Mode.PLENARY
        self.current_item = following
        return self._bump("next_item", moment, following)

    def open_breakouts(self, round_id: int | str, minutes: int, now: datetime) -> Change:
        """Send everyone to their rooms of ``round_id`` for ``minutes`` (countdown starts now)."""
        moment = utc(now)
        if self.mode is not Mode.PLENARY:
            raise LiveError("mode", f"break-outs open from the plenary, not from {self.mode.value}")
        if isinstance(round_id, bool) or not (
            (isinstance(round_id, int) and round_id > 0)
            or (isinstance(round_id, str) and round_id.strip())
        ):
            raise LiveError("round_id", "must be a positive id or a non-empty name")
        length = _minutes(minutes, "minutes", MAX_BREAKOUT_MINUTES)
        self.mode = Mode.BREAKOUTS
        self.round_id = round_id
        self.breakouts_opened_at = moment
        self.breakouts_end_at = moment + length
        self.closing = False
        return self._bump("open_breakouts", moment, round_id)

    def extend_breakouts(self, minutes: int, now: datetime) -> Change:
        """Give the rooms ``minutes`` more; also cancels an early close."""
        moment = utc(now)
        end = self._require_breakouts("extend")
        extra = _minutes(minutes, "minutes", MAX_EXTEND_MINUTES)
        # From now when the countdown already ran out: extending a past end would add nothing.
        self.breakouts_end_at = max(end, moment) + extra
        self.closing = False
        return self._bump("extend_breakouts", moment)

    def close_breakouts(self, now: datetime, grace_seconds: int = 60) -> Change:
        """Close the rooms early: the countdown becomes a short grace period to wrap up."""
        moment = utc(now)
        end = self._require_breakouts("close")
        if self.closing:
            raise LiveError("mode", "break-outs are already closing")
        if isinstance(grace_seconds, bool) or not isinstance(grace_seconds, int):
            raise LiveError("grace_seconds", "must be a whole number of seconds")
        if not 0 <= grace_seconds <= MAX_CLOSE_GRACE_SECONDS:
            raise LiveError(
                "grace_seconds", f"must be between 0 and {MAX_CLOSE_GRACE_SECONDS} seconds"
            )
        # Never later than the end already announced: closing must not lengthen the rooms.
        self.breakouts_end_at = min(end, moment + timedelta(seconds=grace_seconds))
        self.closing = True
        return self._bump("close_breakouts", moment)

    def bring_back(self, now: datetime) -> Change:
        """Return everyone to the plenary, whatever the countdown says."""
        moment = utc(now)
        self._require_breakouts("bring everyone back from")
        self.mode = Mode.PLENARY
        self.breakouts_end_at = None
        self.closing = False
        return self._bump("bring_back", moment)

    def time_up(self, now: datetime, grace_seconds: int = 60) -> Change:
        """The countdown ran out with nobody acting: first the usual grace countdown, then back.

        Called by the server at the stored end time (``server.live.deadlines``): open rooms
        start closing with ``grace_seconds`` to wrap up (as a moderator's close would); rooms
        whose grace period has run out too are brought back to the plenary.
        """
        moment = utc(now)
        end = self._require_breakouts("end")
        if end > moment:
            raise LiveError("mode", "the break-out time is not up yet")
        if not self.closing and grace_seconds > 0:
            self.breakouts_end_at = moment + timedelta(seconds=grace_seconds)
            self.closing = True
            return self._bump("time_up", moment)
        return self.bring_back(moment)

    def announce(
        self,
        text: str,
        now: datetime,
        target: AnnouncementTarget = "everyone",
        by: PersonId | None = None,
    ) -> Change:
        """Tell everyone, or every break-out room (only while rooms are open)."""
        moment = utc(now)
        cleaned = text.strip()
        if not cleaned:
            raise LiveError("text", "must not be empty")
        if len(cleaned) > ANNOUNCEMENT_MAX_LENGTH:
            raise LiveError("text", f"must be at most {ANNOUNCEMENT_MAX_LENGTH} characters")
        if target not in ("everyone", "rooms"):
            raise LiveError("target", "must be 'everyone' or 'rooms'")
        if target == "rooms" and self.mode is not Mode.BREAKOUTS:
            raise LiveError("target", "no break-out rooms are open")
        announcement = Announcement(self.next_announcement_id, cleaned, target, moment, by)
        self.announcements = [*self.announcements, announcement][-ANNOUNCEMENTS_KEPT:]
        self.next_announcement_id += 1
        return self._bump("announce", moment, announcement.id)

    def set_agenda(self, item_ids: Sequence[int], now: datetime) -> Change:
        """Replace the item order (the agenda was edited); the current item must stay on it."""
        moment = utc(now)
        new = list(item_ids)
        if len(set(new)) != len(new):
            raise LiveError("agenda", "an item appears twice")
        if self.current_item is not None and self.current_item not in new:
            raise LiveError("agenda", "the current item cannot be removed while it is on")
        if new == self.agenda:
            raise LiveError("agenda", "unchanged")
        self.agenda = new
        return self._bump("set_agenda", moment)

    # -- internals ------------------------------------------------------------------------------

    def _require_not_breakouts(self, verb: str) -> None:
        if self.mode is Mode.BREAKOUTS:
            raise LiveError("mode", f"cannot {verb} while break-out rooms are open")

    def _require_breakouts(self, verb: str) -> datetime:
        if self.mode is not Mode.BREAKOUTS or self.breakouts_end_at is None:
            raise LiveError("mode", f"cannot {verb} break-outs: none are open")
        return self.breakouts_end_at

    def _bump(self, action: str, moment: datetime, *ids: int | str) -> Change:
        self.version += 1
        self.updated_at = moment
        return Change(self.version, action, ids)


def announcement_payload(announcement: Announcement) -> dict[str, object]:
    """Return one announcement, JSON-ready (the ``agenda:announcement`` payload body)."""
    return {
        "id": announcement.id,
        "text": announcement.text,
        "target": announcement.target,
        "at": iso(announcement.at),
    }


def _minutes(value: int, field_name: str, maximum: int) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LiveError(field_name, "must be a whole number of minutes")
    if not 1 <= value <= maximum:
        raise LiveError(field_name, f"must be between 1 and {maximum} minutes")
    return timedelta(minutes=value)


# ---------------------------------------------------------------------------------------------
# Room notes
# ---------------------------------------------------------------------------------------------


@dataclass
class RoomNotes:
    """The shared notes of one break-out room: whole-text saves with a version."""

    room_id: int
    text: str = ""
    version: int = 0
    last_editor: PersonId | None = None
    updated_at: datetime | None = None

    def edit(
        self,
        text: str,
        editor: PersonId,
        now: datetime,
        *,
        base_version: int | None = None,
    ) -> Change:
        """Replace the text; with ``base_version``, refuse if someone saved in between."""
        moment = utc(now)
        if base_version is not None and base_version != self.version:
            # Whole-text saves would silently drop a room-mate's edit; make the client merge.
            raise LiveError("base_version", f"notes changed since version {base_version}")
        if len(text) > NOTES_MAX_LENGTH:
            raise LiveError("text", f"must be at most {NOTES_MAX_LENGTH} characters")
        if text == self.text:
            raise LiveError("text", "unchanged")
        self.text = text
        self.last_editor = editor
        self.updated_at = moment
        self.version += 1
        return Change(self.version, "edit", (self.room_id,))

    def merged(self, text: str, editor: PersonId, now: datetime) -> Change:
        """Take the text of the merged shared document (``notes:update``): never refused, the CRDT merged it."""
        self.text = text
        self.last_editor = editor
        self.updated_at = utc(now)
        self.version += 1
        return Change(self.version, "edit", (self.room_id,))

    def snapshot(self) -> dict[str, object]:
        """Return the notes, JSON-ready (the ``notes:state`` payload)."""
        return {
            "stream": stream_name("notes", "room", self.room_id),
            "room_id": self.room_id,
            "version": self.version,
            "text": self.text,
            "last_editor": self.last_editor,
            "updated_at": iso(self.updated_at),
        }


NOTES_CSV_HEADER: tuple[str, ...] = ("room", "version", "updated_at", "text")


def _label(room_id: int, room_names: Mapping[int, str] | None) -> str:
    if room_names and room_id in room_names:
        return room_names[room_id]
    return f"Room {room_id}"


def notes_csv_rows(
    notes: Iterable[RoomNotes], room_names: Mapping[int, str] | None = None
) -> Iterator[tuple[str, ...]]:
    """Yield the CSV header, then one row per room with its notes."""
    yield NOTES_CSV_HEADER
    for note in notes:
        label = _label(note.room_id, room_names)
        yield (
            csv_cell(label),
            str(note.version),
            iso(note.updated_at) or "",
            csv_cell(note.text),
        )


def notes_markdown(notes: Iterable[RoomNotes], room_names: Mapping[int, str] | None = None) -> str:
    """Return a Markdown section per room; the notes are written by people, kept verbatim."""
    lines = ["# Room notes", ""]
    for note in notes:
        lines += [f"## {_label(note.room_id, room_names)}", ""]
        lines += [note.text.strip() or "_No notes._", ""]
    return "\n".join(lines).rstrip() + "\n"
