"""Without a broker, `convene serve` runs beat's schedule itself: lost mail still goes out."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from flask import Flask

from server.scheduler import InProcessBeat


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_in_process_beat_sweeps_a_lost_mail(app: Flask) -> None:
    from server.extensions import db
    from server.models import MailStatus, OutboundMail
    from server.models.types import utcnow

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "team@example.org", "a@example.org", "Lost"
    msg.set_content("This mail's task was lost when the process died.")
    with app.app_context():
        # A row as a crash between commit and enqueue leaves it: queued, long ago.
        db.session.add(OutboundMail(
            idempotency_key="lost", kind="test", to_address="a@example.org", subject="Lost",
            message_id="<lost@test>", body=msg.as_bytes(), status=MailStatus.QUEUED,
            created_at=utcnow() - timedelta(hours=1),
        ))
        db.session.commit()

    clock = FakeClock()
    beat = InProcessBeat(app, {"sweep-mail": {"task": "worker.tasks.sweep_mail", "schedule": 60.0}}, clock)
    assert beat.tick() == []  # not due before one period has passed
    clock.now += 61
    assert beat.tick() == ["sweep-mail"]
    assert [p.name for p in Path(app.config["OUTBOX_PATH"]).glob("*.eml")]
    with app.app_context():
        assert db.session.query(OutboundMail).one().status == MailStatus.SENT
    assert beat.tick() == []  # and not again until the next period
