"""Calendar invitations (issue #4): iTIP REQUEST/CANCEL mails that follow the meeting,
reminders from ScheduledJob rows, the public agenda feed and personal feeds, and the
organisers' view of every message's delivery state.

Public entry points for other features:
* ``personal_feed_url(application) -> (https_url, webcal_url)`` for the participant page;
* ``personal_link(application) -> str`` the ``/p/<token>`` link the invitations carry.
"""

from __future__ import annotations

from flask import Flask

from server.invitations.links import personal_feed_url, personal_link

__all__ = ["init_app", "personal_feed_url", "personal_link"]


def init_app(app: Flask) -> None:
    from server.invitations import api, feeds, service

    service.connect()
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
