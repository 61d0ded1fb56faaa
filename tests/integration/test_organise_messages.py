"""Organisers edit the meeting's mail texts with a preview; mails sent afterwards use them (issue 14)."""

from __future__ import annotations

from flask import Flask

from tests.support.api import ApiActor
from tests.support.applications import BEFORE_DEADLINE, apply, csrf_from, mails, set_clock, valid_application


def test_every_kind_is_listed_with_a_default(organiser: ApiActor, reference_event: str) -> None:
    html = organiser.client.get(f"/organise/{reference_event}/messages").get_data(as_text=True)
    for label in ("Application received", "Invitation", "Update", "Cancellation", "Wait-list", "Decline",
                  "Reminder", "Personal link again"):
        assert f">{label}</th>" in html
    page = organiser.client.get(f"/organise/{reference_event}/messages/invitation?lang=en").get_data(as_text=True)
    assert "Dear {name}," in page and "Dear Aigerim Bekova," in page  # the text and its preview
    assert "/p/••••••••" in page  # a preview never shows a working personal link


def test_unknown_placeholders_are_refused_by_name(app: Flask, organiser: ApiActor, reference_event: str) -> None:
    from server.models import MessageText
    from tests.support.applications import count

    client = organiser.client
    url = f"/organise/{reference_event}/messages/invitation?lang=en"
    token = csrf_from(client, url)
    for body, reason in (("Hello {nmae}", "{nmae} is not a known placeholder"),
                         ("Hello {name.__class__}", "only plain names"), ("Hello {name!r}", "takes no format"),
                         ("Hello {", "has a brace that opens or closes nothing")):
        answer = client.post(url, data={"csrf_token": token, "subject": "Hi", "body": body, "action": "save"})
        assert answer.status_code == 422 and reason in answer.get_data(as_text=True), body
    assert count(app, MessageText) == 0


def test_edited_texts_are_sent_in_the_recipients_language(app: Flask, organiser: ApiActor, anonymous: ApiActor,
                                                          reference_event: str) -> None:
    client = organiser.client
    base = f"/organise/{reference_event}/messages"
    token = csrf_from(client, f"{base}/confirmation?lang=en")
    saved = client.post(f"{base}/confirmation?lang=en", data={
        "csrf_token": token, "subject": "We have it: {event_title}", "action": "save",
        "body": "Hello {name}, your link: {personal_link} (until {deadline})."})
    assert saved.status_code == 302
    preview = client.post(f"{base}/waitlist?lang=en", data={
        "csrf_token": token, "subject": "Wait, {name}", "body": "Soon, {name}.", "action": "preview"})
    assert "Soon, Aigerim Bekova." in preview.get_data(as_text=True)
    set_clock(app, BEFORE_DEADLINE)
    apply(app, anonymous.client, reference_event, valid_application())
    [mail] = mails(app, "application_received")
    assert not mail["stored"]  # the row never keeps a personal link (issue 11 item 5)
    assert mail["text"].startswith("Hello Aigerim Bekova, your link: http://convene.test/p/")
    assert "(until Wednesday 12 May 2021, 23:59:59 Europe/Brussels" in mail["text"]

    test = client.post(f"{base}/confirmation/test?lang=en", data={"csrf_token": token})
    assert test.status_code == 302
    [sent] = mails(app, "message_test")
    assert sent["to"] == "organiser@test.example" and sent["text"].startswith("Hello Aigerim Bekova")
    reset = client.post(f"{base}/confirmation?lang=en", data={"csrf_token": token, "action": "reset"})
    assert reset.status_code == 302
    assert "Thank you for applying" in client.get(f"{base}/confirmation?lang=en").get_data(as_text=True)


def test_the_invitation_uses_the_edited_text_and_keeps_its_calendar(app: Flask, organiser: ApiActor,
                                                                    anonymous: ApiActor, reference_event: str) -> None:
    from email import message_from_bytes
    from email.policy import default
    from pathlib import Path

    client = organiser.client
    url = f"/organise/{reference_event}/messages/invitation?lang=en"
    client.post(url, data={"csrf_token": csrf_from(client, url), "subject": "Come to {event_title}", "action": "save",
                           "body": "Dear {name},\n\nWe start {first_morning}.\n\nYour link: {personal_link}"})
    set_clock(app, BEFORE_DEADLINE)
    app_id, _ = apply(app, anonymous.client, reference_event, valid_application())
    organiser.post(f"/api/events/{reference_event}/applications/{app_id}/decision", json={"decision": "invite"})
    messages = [message_from_bytes(f.read_bytes(), policy=default)
                for f in sorted(Path(app.config["OUTBOX_PATH"]).glob("*.eml"))]
    [message] = [m for m in messages if m["Subject"].startswith("Come to")]
    assert message["Subject"].startswith("Come to Study visit to Central Asia: reintegrating returning")
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Dear Aigerim Bekova,\n\nWe start Tuesday 25 May 2021, 09:30–12:30 CEST")
    assert "/p/" in text and "no longer works" not in text
    types = [p.get_content_type() for p in message.walk()]
    assert "text/calendar" in types and "application/ics" in types


def test_the_mail_page_speaks_in_words_and_masks_personal_links(app: Flask, organiser: ApiActor, anonymous: ApiActor,
                                                                reference_event: str) -> None:
    import re

    set_clock(app, BEFORE_DEADLINE)
    apply(app, anonymous.client, reference_event, valid_application())
    client = organiser.client
    page = client.get(f"/organise/{reference_event}/mail?tz=Asia/Almaty").get_data(as_text=True)
    assert "<td>Application received</td>" in page and ">application_received<" not in page
    assert re.search(r"\d+ \w+ 20\d\d, \d\d:\d\d Europe/Brussels", page)  # the event's zone
    assert "Asia/Almaty</small>" in page  # and the reader's
    assert "No mail matches." in client.get(f"/organise/{reference_event}/mail?kind=reminder").get_data(as_text=True)
    link = re.search(r'href="(/organise/[^"]+/mail/\d+)"', page).group(1)
    message = client.get(link).get_data(as_text=True)
    # The sent bytes held a personal link, so they are not kept: the page writes the message
    # again, says so, and masks the link.
    assert "As written again now (personal links masked)" in message
    assert "Thank you for applying" in message and "/p/••••••••" in message
    assert not re.search(r"/p/[A-Za-z0-9_\-]{8,}", message)


def test_reading_a_sent_message_changes_no_personal_link(app: Flask, organiser: ApiActor, anonymous: ApiActor,
                                                         reference_event: str) -> None:
    """The page writes the message again with its renderer; were the link not derivable (a link made
    before links were derived), the renderer would replace it: reading must never do that."""
    import re

    from sqlalchemy import select

    from server.extensions import db
    from server.models import Application

    set_clock(app, BEFORE_DEADLINE)
    app_id, _ = apply(app, anonymous.client, reference_event, valid_application())
    with app.app_context():
        application = db.session.get(Application, app_id)
        assert application is not None
        application.access_token_hash = "an old random link's hash"
        db.session.commit()
    page = organiser.client.get(f"/organise/{reference_event}/mail").get_data(as_text=True)
    found = re.search(r'href="(/organise/[^"]+/mail/\d+)"', page)
    assert found, page[:400]
    message = organiser.client.get(found.group(1))
    assert message.status_code == 200 and "Thank you for applying" in message.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Application.access_token_hash).where(Application.id == app_id)) == (
            "an old random link's hash")


def test_default_texts_are_sent_in_the_recipients_language(app: Flask, anonymous: ApiActor,
                                                            reference_event: str) -> None:
    """Every default body carried the signature inside its msgid ("…" + "{organiser}…"), which the
    extracted catalog entry lacks: a Russian applicant got a Russian subject over an English body."""
    from server.messages.kinds import KINDS
    from server.messages.texts import defaults

    signature = "\n\n{organiser}\n{public_url}\n"

    with app.test_request_context():
        for kind in KINDS:
            english, russian = defaults(kind, "en")[1], defaults(kind, "ru")[1]
            assert russian.startswith("Здравствуйте, {name}!"), kind.key
            assert english.endswith(signature) and russian.endswith(signature), kind.key
    set_clock(app, BEFORE_DEADLINE)
    apply(app, anonymous.client, reference_event, valid_application(language="ru"))
    [mail] = mails(app, "application_received")
    assert mail["text"].startswith("Здравствуйте, Aigerim Bekova!")
