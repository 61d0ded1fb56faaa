"""SQLAlchemy models, one module per aggregate; importing this package registers them all."""

from server.models.accounts import StaffRole, User
from server.models.applications import Application, ApplicationStatus, Review
from server.models.events import AgendaDay, AgendaItem, Event
from server.models.mail import MailStatus, OutboundMail, ScheduledJob

__all__ = [
    "AgendaDay",
    "AgendaItem",
    "Application",
    "ApplicationStatus",
    "Event",
    "MailStatus",
    "OutboundMail",
    "Review",
    "ScheduledJob",
    "StaffRole",
    "User",
]
