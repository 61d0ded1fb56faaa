"""SQLAlchemy models, one module per aggregate; importing this package registers them all."""

from server.models.accounts import LoginSession, StaffRole, User
from server.models.applications import Application, ApplicationStatus, Review
from server.models.attendance import AttendanceSpan
from server.models.breakouts import BreakoutRoom, BreakoutRound, EventFacilitator, RoomAssignment
from server.models.events import AgendaDay, AgendaItem, Event
from server.models.invitations import CalendarInvitation
from server.models.live import (
    LiveStateRow,
    QAQueueRow,
    QuestionRow,
    QuestionVote,
    RoomNotesRow,
    RoomNoteUpdate,
    SpeakerEntry,
    SpeakerQueueRow,
)
from server.models.mail import MailStatus, OutboundMail, ScheduledJob
from server.models.meeting_day import ProjectorLink, QASeeding, QASeedSetting
from server.models.messages import MessageText
from server.models.replies import InboundReply

__all__ = [
    "AgendaDay",
    "AgendaItem",
    "Application",
    "ApplicationStatus",
    "AttendanceSpan",
    "BreakoutRoom",
    "BreakoutRound",
    "CalendarInvitation",
    "Event",
    "EventFacilitator",
    "InboundReply",
    "LiveStateRow",
    "LoginSession",
    "MailStatus",
    "MessageText",
    "OutboundMail",
    "ProjectorLink",
    "QAQueueRow",
    "QASeedSetting",
    "QASeeding",
    "QuestionRow",
    "QuestionVote",
    "Review",
    "RoomAssignment",
    "RoomNoteUpdate",
    "RoomNotesRow",
    "ScheduledJob",
    "SpeakerEntry",
    "SpeakerQueueRow",
    "StaffRole",
    "User",
]
