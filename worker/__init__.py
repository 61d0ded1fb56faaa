"""Celery app and tasks: mail, calendar invitations, reminders, deadline jobs."""
