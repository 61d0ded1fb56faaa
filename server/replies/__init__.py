"""Calendar replies (issue 17): the answers invitees' calendars mail back — iTIP REPLY,
REFRESH and COUNTER — read from the IMAP mailbox in INBOX_URL or from instance/inbox/, and
applied to the participant exactly as the personal page's accept/decline buttons do.

* ``service``  — one message: record once (unique Message-ID), judge, apply;
* ``mailbox``  — where messages come from (IMAP with IDLE, or the folder);
* ``refresh``  — the current REQUEST sent again (REFRESH, or a yes to an older version);
* ``pages``    — the organisers' list at /organise/<slug>/replies and its JSON twin.
The pure parsing and judging is ``server.core.replies``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.replies import pages, refresh, service  # noqa: F401  (refresh registers its renderer)

    service.connect()
    app.register_blueprint(pages.bp)
