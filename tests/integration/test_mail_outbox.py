"""Mail is a row first and is delivered after commit; the embedded default writes .eml files."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select


def _message(to: str = "a@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "team@example.org"
    msg["To"] = to
    msg["Subject"] = "Hello"
    msg.set_content("Body")
    return msg


def test_mail_is_written_to_the_outbox_after_commit(app: Flask) -> None:
    from server.extensions import db
    from server.mail import queue_mail
    from server.models import OutboundMail

    outbox = Path(app.config["OUTBOX_PATH"])
    with app.app_context():
        queue_mail(_message(), key="k1", kind="test")
        assert not outbox.exists() or not list(outbox.iterdir())  # nothing before the commit
        db.session.commit()
        files = list(outbox.glob("*.eml"))
        assert len(files) == 1
        assert message_from_bytes(files[0].read_bytes())["Subject"] == "Hello"
        mail = db.session.scalar(select(OutboundMail))
        assert mail is not None and mail.status == "sent" and mail.attempts == 1


def test_same_key_three_times_is_one_mail(app: Flask) -> None:
    from server.extensions import db
    from server.mail import queue_mail
    from server.models import OutboundMail

    with app.app_context():
        for _ in range(3):
            queue_mail(_message(), key="same", kind="test")
            db.session.commit()
        assert db.session.scalar(select(func.count(OutboundMail.id))) == 1
    assert len(list(Path(app.config["OUTBOX_PATH"]).glob("*.eml"))) == 1


def test_rolled_back_mail_is_never_sent(app: Flask) -> None:
    from server.extensions import db
    from server.mail import queue_mail

    with app.app_context():
        queue_mail(_message(), key="gone", kind="test")
        db.session.rollback()
        db.session.commit()
    outbox = Path(app.config["OUTBOX_PATH"])
    assert not outbox.exists() or not list(outbox.glob("*.eml"))
