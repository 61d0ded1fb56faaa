"""Speakers' lists: one per plenary and one per break-out room.

Participants raise and lower a hand; moderators call the next or a chosen person, run the
current speaker's timer (start, pause, resume; computed from ``now``, never the clock),
re-add the last speaker, close the list, and may put first-time speakers first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from server.sessions.protocol import Change, LiveError, PersonId, iso, stream_name, utc

SpeakerKey = tuple[Literal["plenary", "room"], int]

MAX_SPEAKING_SECONDS = 60 * 60


@dataclass(slots=True)
class WaitingSpeaker:
    """A raised hand; ``seq`` is the raise order (stable tie-break; smaller is earlier)."""

    person_id: PersonId
    name: str
    raised_at: datetime
    seq: int


@dataclass(slots=True)
class SpeakerTimer:
    """Speaking time of the current speaker, derived from stored instants, not ticks.

    ``elapsed_before`` holds the time spoken before the last pause; ``running_since`` is
    set while the clock runs. Clients get both and count down locally.
    """

    limit_seconds: int | None = None
    started: bool = False
    running_since: datetime | None = None
    elapsed_before: timedelta = timedelta(0)

    def elapsed(self, now: datetime) -> timedelta:
        """Return the time spoken so far (never negative, even if clocks disagree)."""
        if self.running_since is None:
            return self.elapsed_before
        return self.elapsed_before + max(utc(now) - self.running_since, timedelta(0))

    def remaining(self, now: datetime) -> timedelta | None:
        """Return the time left (negative when over), or None without a limit."""
        if self.limit_seconds is None:
            return None
        return timedelta(seconds=self.limit_seconds) - self.elapsed(now)

    @property
    def running(self) -> bool:
        return self.running_since is not None


@dataclass(slots=True)
class CurrentSpeaker:
    person_id: PersonId
    name: str
    called_at: datetime
    timer: SpeakerTimer


@dataclass
class SpeakerQueue:
    """One speakers' list with its version; ``spoken`` counts finished turns per person."""

    key: SpeakerKey
    version: int = 0
    waiting: list[WaitingSpeaker] = field(default_factory=list)
    current: CurrentSpeaker | None = None
    last_speaker: tuple[PersonId, str] | None = None
    spoken: dict[PersonId, int] = field(default_factory=dict)
    closed: bool = False
    first_timers_first: bool = False
    speaking_limit_seconds: int | None = None
    next_seq: int = 1

    # -- reading ------------------------------------------------------------------------------

    def ordered(self) -> list[WaitingSpeaker]:
        """Return the waiting list in calling order.

        By raise order; with ``first_timers_first``, those who have not spoken yet come first,
        each group still by raise order (sorting is stable and ``seq`` is unique).
        """
        if self.first_timers_first:
            return sorted(self.waiting, key=lambda w: (self.spoken.get(w.person_id, 0) > 0, w.seq))
        return sorted(self.waiting, key=lambda w: w.seq)

    def position(self, person_id: PersonId) -> int | None:
        """Return a person's 1-based place in the calling order, or None if not waiting."""
        for index, waiting in enumerate(self.ordered(), start=1):
            if waiting.person_id == person_id:
                return index
        return None

    def snapshot(self, now: datetime) -> dict[str, object]:
        """Return the full list, JSON-ready, with the timer as of ``now``."""
        current: dict[str, object] | None = None
        if self.current is not None:
            timer = self.current.timer
            remaining = timer.remaining(now)
            current = {
                "person_id": self.current.person_id,
                "name": self.current.name,
                "called_at": iso(self.current.called_at),
                "timer": {
                    "limit_seconds": timer.limit_seconds,
                    "started": timer.started,
                    "running": timer.running,
                    "running_since": iso(timer.running_since),
                    "elapsed_before_seconds": timer.elapsed_before.total_seconds(),
                    "elapsed_seconds": timer.elapsed(now).total_seconds(),
                    "remaining_seconds": None if remaining is None else remaining.total_seconds(),
                },
            }
        return {
            "stream": stream_name("speaker", *self.key),
            "key": list(self.key),
            "version": self.version,
            "closed": self.closed,
            "first_timers_first": self.first_timers_first,
            "speaking_limit_seconds": self.speaking_limit_seconds,
            "current": current,
            "waiting": [
                {
                    "person_id": w.person_id,
                    "name": w.name,
                    "raised_at": iso(w.raised_at),
                    "first_time": self.spoken.get(w.person_id, 0) == 0,
                }
                for w in self.ordered()
            ],
        }

    # -- participants ---------------------------------------------------------------------------

    def raise_hand(self, person_id: PersonId, name: str, now: datetime) -> Change:
        """Join the end of the list; refused when closed, already waiting or speaking."""
        moment = utc(now)
        if self.closed:
            raise LiveError("person_id", "the speakers' list is closed")
        self._refuse_if_present(person_id)
        self.waiting.append(WaitingSpeaker(person_id, name, moment, self.next_seq))
        self.next_seq += 1
        return self._bump("raise", person_id)

    def lower_hand(self, person_id: PersonId) -> Change:
        """Leave the list (the person, or a moderator removing them)."""
        entry = self._waiting(person_id)
        self.waiting.remove(entry)
        return self._bump("lower", person_id)

    # -- moderators -----------------------------------------------------------------------------

    def call_next(self, now: datetime) -> Change:
        """Give the floor to the first in calling order; the current speaker (if any) ends."""
        moment = utc(now)
        order = self.ordered()
        if not order:
            raise LiveError("waiting", "nobody is waiting")
        return self._give_floor(order[0], moment, "call_next")

    def call(self, person_id: PersonId, now: datetime) -> Change:
        """Give the floor to a chosen waiting person, out of order."""
        moment = utc(now)
        return self._give_floor(self._waiting(person_id), moment, "call")

    def finish(self) -> Change:
        """End the current speaker's turn; they count as having spoken."""
        speaker = self._current()
        self._end_turn(speaker)
        return self._bump("finish", speaker.person_id)

    def start_timer(self, now: datetime) -> Change:
        """Start the current speaker's clock (once per turn)."""
        moment = utc(now)
        speaker = self._current()
        if speaker.timer.started:
            raise LiveError("timer", "already started; pause or resume it")
        speaker.timer.started = True
        speaker.timer.running_since = moment
        return self._bump("timer_start", speaker.person_id)

    def pause_timer(self, now: datetime) -> Change:
        """Stop the clock, keeping the time spoken so far."""
        moment = utc(now)
        speaker = self._current()
        timer = speaker.timer
        if timer.running_since is None:
            raise LiveError("timer", "not running")
        timer.elapsed_before = timer.elapsed(moment)
        timer.running_since = None
        return self._bump("timer_pause", speaker.person_id)

    def resume_timer(self, now: datetime) -> Change:
        """Restart a paused clock from where it stopped."""
        moment = utc(now)
        speaker = self._current()
        timer = speaker.timer
        if not timer.started:
            raise LiveError("timer", "not started yet")
        if timer.running:
            raise LiveError("timer", "already running")
        timer.running_since = moment
        return self._bump("timer_resume", speaker.person_id)

    def readd_last(self, now: datetime) -> Change:
        """Put the last speaker back at the top of the list (a reply to a reaction)."""
        moment = utc(now)
        if self.last_speaker is None:
            raise LiveError("last_speaker", "nobody has spoken yet")
        person_id, name = self.last_speaker
        self._refuse_if_present(person_id)
        # Below every existing seq so they come first in raise order; with first-timers-first
        # they still follow the newcomers, who are the reason for that option.
        top = min((w.seq for w in self.waiting), default=self.next_seq) - 1
        self.waiting.append(WaitingSpeaker(person_id, name, moment, top))
        return self._bump("readd_last", person_id)

    def close_list(self) -> Change:
        """Refuse new hands; those waiting stay."""
        if self.closed:
            raise LiveError("closed", "already closed")
        self.closed = True
        return self._bump("close_list")

    def open_list(self) -> Change:
        """Accept hands again."""
        if not self.closed:
            raise LiveError("closed", "already open")
        self.closed = False
        return self._bump("open_list")

    def set_options(
        self,
        *,
        first_timers_first: bool | None = None,
        speaking_limit_seconds: int | Literal["keep"] | None = "keep",
    ) -> Change:
        """Change ordering or the default limit (applies from the next speaker called)."""
        new_first = self.first_timers_first if first_timers_first is None else first_timers_first
        new_limit = (
            self.speaking_limit_seconds
            if speaking_limit_seconds == "keep"
            else _check_limit(speaking_limit_seconds)
        )
        if (new_first, new_limit) == (self.first_timers_first, self.speaking_limit_seconds):
            raise LiveError("options", "unchanged")
        self.first_timers_first = new_first
        self.speaking_limit_seconds = new_limit
        return self._bump("set_options")

    # -- internals ------------------------------------------------------------------------------

    def _give_floor(self, entry: WaitingSpeaker, moment: datetime, action: str) -> Change:
        if self.current is not None:
            self._end_turn(self.current)
        self.waiting.remove(entry)
        self.current = CurrentSpeaker(
            person_id=entry.person_id,
            name=entry.name,
            called_at=moment,
            timer=SpeakerTimer(limit_seconds=self.speaking_limit_seconds),
        )
        return self._bump(action, entry.person_id)

    def _end_turn(self, speaker: CurrentSpeaker) -> None:
        self.spoken[speaker.person_id] = self.spoken.get(speaker.person_id, 0) + 1
        self.last_speaker = (speaker.person_id, speaker.name)
        self.current = None

    def _refuse_if_present(self, person_id: PersonId) -> None:
        if any(w.person_id == person_id for w in self.waiting):
            raise LiveError("person_id", "already on the list")
        if self.current is not None and self.current.person_id == person_id:
            raise LiveError("person_id", "is speaking now")

    def _waiting(self, person_id: PersonId) -> WaitingSpeaker:
        for entry in self.waiting:
            if entry.person_id == person_id:
                return entry
        raise LiveError("person_id", "not on the list")

    def _current(self) -> CurrentSpeaker:
        if self.current is None:
            raise LiveError("current", "nobody is speaking")
        return self.current

    def _bump(self, action: str, *ids: PersonId) -> Change:
        self.version += 1
        return Change(self.version, action, ids)


def _check_limit(seconds: int | None) -> int | None:
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise LiveError("speaking_limit_seconds", "must be a whole number of seconds")
    if not 1 <= seconds <= MAX_SPEAKING_SECONDS:
        raise LiveError(
            "speaking_limit_seconds", f"must be between 1 and {MAX_SPEAKING_SECONDS} seconds"
        )
    return seconds
