"""SQLAlchemy models, one module per aggregate; importing this package registers them all."""

from server.models.accounts import StaffRole, User
from server.models.applications import Application, ApplicationStatus, Review
from server.models.breakouts import BreakoutRoom, BreakoutRound, RoomAssignment
from server.models.events import AgendaDay, AgendaItem, Event
from server.models.invitations import CalendarInvitation
from server.models.live import (
    LiveStateRow,
    QAQueueRow,
    QuestionRow,
    QuestionVote,
    RoomNotesRow,
    SpeakerEntry,
    SpeakerQueueRow,
)
from server.models.mail import MailStatus, OutboundMail, ScheduledJob
from server.models.meeting_day import ProjectorLink, QASeeding, QASeedSetting

__all__ = [
    "AgendaDay",
    "AgendaItem",
    "Application",
    "ApplicationStatus",
    "BreakoutRoom",
    "BreakoutRound",
    "CalendarInvitation",
    "Event",
    "LiveStateRow",
    "MailStatus",
    "OutboundMail",
    "ProjectorLink",
    "QAQueueRow",
    "QASeedSetting",
    "QASeeding",
    "QuestionRow",
    "QuestionVote",
    "Review",
    "RoomAssignment",
    "RoomNotesRow",
    "ScheduledJob",
    "SpeakerEntry",
    "SpeakerQueueRow",
    "StaffRole",
    "User",
]
