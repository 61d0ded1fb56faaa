"""Q&A over Socket.IO: asking, voting, moderation, merging, seeding from applications, exports."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from server.sessions import protocol as ev
from tests.support.live import (
    Meeting,
    add_participant,
    call,
    drain,
    meeting_fixture,  # noqa: F401  (the `meeting` fixture)
    participant_client,
    received,
    staff_client,
    versions,
)


def _queue(meeting: Meeting) -> list[Any]:
    return ["item", meeting.qa_item]


def test_ask_vote_toggle_and_views(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana, bo = (participant_client(app, p) for p in meeting.people[:2])
    q = _queue(meeting)
    drain(mod, ana, bo)
    ack = call(ana, ev.QA_ASK, {"queue": q, "text": "  Anonymous one?  ", "anonymous": True})
    assert ack["ok"] and ack["version"] == 1
    assert ack["question"]["text"] == "Anonymous one?" and ack["question"]["mine"] is True
    audience = [p for p in received(bo, ev.QA_CHANGED)]
    assert len(audience) == 1 and audience[0]["view"] == "audience"
    assert audience[0]["questions"][0]["author_name"] is None and audience[0]["questions"][0]["author_id"] is None
    moderator = [p for p in received(mod, ev.QA_CHANGED) if p["view"] == "moderator"]
    assert moderator[0]["questions"][0]["author_name"] == "Ana Example"
    assert moderator[0]["questions"][0]["author_id"] == meeting.people[0].application_id

    first = call(bo, ev.QA_VOTE, {"queue": q, "question_id": 1})
    assert first["voted"] is True and first["question"]["votes"] == 1 and first["version"] == 2
    second = call(bo, ev.QA_VOTE, {"queue": q, "question_id": 1})
    assert second["voted"] is False and second["question"]["votes"] == 0 and second["version"] == 3
    assert [p["action"] for p in received(ana, ev.QA_CHANGED)] == ["ask", "vote", "unvote"]
    assert call(bo, ev.QA_VOTE, {"queue": q, "question_id": 77})["error"]["field"] == "question_id"
    assert call(ana, ev.QA_ASK, {"queue": q, "text": "x" * 501})["error"] == {
        "field": "text", "reason": "must be at most 500 characters"}
    assert call(ana, ev.QA_ASK, {"queue": q, "text": "   "})["error"]["field"] == "text"
    assert call(ana, ev.QA_ASK, {"queue": q, "text": "ok", "anonymous": "yes"})["error"]["field"] == "anonymous"
    assert call(mod, ev.QA_ASK, {"queue": q, "text": "staff?"})["error"]["field"] == "permission"
    assert call(ana, ev.QA_ASK, {"queue": ["item", 99999], "text": "nope"})["error"]["field"] == "permission"


def test_pre_moderation_approve_dismiss_reopen(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana, bo = (participant_client(app, p) for p in meeting.people[:2])
    q = _queue(meeting)
    assert call(mod, ev.QA_SET_MODERATION, {"queue": q, "moderation": "pre"}) == {
        "ok": True, "version": 1, "question": None}
    assert call(mod, ev.QA_SET_MODERATION, {"queue": q, "moderation": "pre"})["error"]["field"] == "moderation"
    assert call(mod, ev.QA_SET_MODERATION, {"queue": q, "moderation": "later"})["error"]["field"] == "moderation"
    drain(mod, ana, bo)
    ack = call(ana, ev.QA_ASK, {"queue": q, "text": "Waiting for approval"})
    assert ack["question"]["status"] == "pending"
    tomb = received(bo, ev.QA_CHANGED)[0]["questions"][0]
    assert tomb == {"id": 1, "hidden": True, "status": "pending", "merged_into": None}
    snap = call(ana, ev.SYNC_SNAPSHOT, {"streams": [f"qa:item:{meeting.qa_item}"]})["snapshots"]
    assert [x["id"] for x in snap[f"qa:item:{meeting.qa_item}"]["questions"]] == [1]  # own pending question
    snap = call(bo, ev.SYNC_SNAPSHOT, {"streams": [f"qa:item:{meeting.qa_item}"]})["snapshots"]
    assert snap[f"qa:item:{meeting.qa_item}"]["questions"] == []
    assert call(bo, ev.QA_VOTE, {"queue": q, "question_id": 1})["error"]["field"] == "question_id"
    assert call(mod, ev.QA_APPROVE, {"queue": q, "question_id": 1})["question"]["status"] == "live"
    assert call(mod, ev.QA_APPROVE, {"queue": q, "question_id": 1})["error"]["field"] == "question_id"
    assert call(mod, ev.QA_DISMISS, {"queue": q, "question_id": 1})["question"]["status"] == "dismissed"
    assert call(mod, ev.QA_REOPEN, {"queue": q, "question_id": 1})["question"]["status"] == "live"
    assert call(mod, ev.QA_REOPEN, {"queue": q, "question_id": 1})["error"]["field"] == "question_id"


def test_edit_pin_answer_and_order(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    clients = [participant_client(app, p) for p in meeting.people]
    q = _queue(meeting)
    for index, client in enumerate(clients[:3]):
        assert call(client, ev.QA_ASK, {"queue": q, "text": f"Question {index + 1}"})["ok"]
    for client in clients[1:]:
        assert call(client, ev.QA_VOTE, {"queue": q, "question_id": 2})["ok"]
    assert call(clients[3], ev.QA_VOTE, {"queue": q, "question_id": 3})["ok"]
    ack = call(mod, ev.QA_EDIT, {"queue": q, "question_id": 3, "text": "Question three, reworded"})
    assert ack["question"]["edited"] is True
    assert call(mod, ev.QA_EDIT, {"queue": q, "question_id": 3, "text": "Question three, reworded"})["error"] == {
        "field": "text", "reason": "unchanged"}
    assert call(mod, ev.QA_PIN, {"queue": q, "question_id": 1})["question"]["pinned"] is True
    assert call(mod, ev.QA_PIN, {"queue": q, "question_id": 1})["error"]["field"] == "question_id"
    snap = call(clients[0], ev.SYNC_SNAPSHOT, {"streams": [f"qa:item:{meeting.qa_item}"]})["snapshots"]
    assert [x["id"] for x in snap[f"qa:item:{meeting.qa_item}"]["questions"]] == [1, 2, 3]
    assert call(mod, ev.QA_UNPIN, {"queue": q, "question_id": 1})["question"]["pinned"] is False
    assert call(mod, ev.QA_UNPIN, {"queue": q, "question_id": 1})["error"]["field"] == "question_id"
    snap = call(clients[0], ev.SYNC_SNAPSHOT, {"streams": [f"qa:item:{meeting.qa_item}"]})["snapshots"]
    assert [x["id"] for x in snap[f"qa:item:{meeting.qa_item}"]["questions"]] == [2, 3, 1]
    answered = call(mod, ev.QA_ANSWER, {"queue": q, "question_id": 2})["question"]
    assert answered["status"] == "answered" and answered["answered_at"]
    assert call(mod, ev.QA_ANSWER, {"queue": q, "question_id": 2})["error"]["field"] == "question_id"


def test_merge_unites_votes_without_counting_anyone_twice(app: Flask, meeting: Meeting) -> None:
    from server.extensions import db
    from server.models.live import QuestionVote

    mod = staff_client(app, meeting.slug)
    ana, bo, cy, di = (participant_client(app, p) for p in meeting.people)
    q = _queue(meeting)
    assert call(ana, ev.QA_ASK, {"queue": q, "text": "How do families return?"})["ok"]
    assert call(bo, ev.QA_ASK, {"queue": q, "text": "How are families brought back?"})["ok"]
    for client in (cy, di):
        assert call(client, ev.QA_VOTE, {"queue": q, "question_id": 1})["ok"]
    for client in (di, ana):
        assert call(client, ev.QA_VOTE, {"queue": q, "question_id": 2})["ok"]
    drain(mod, ana)
    ack = call(mod, ev.QA_MERGE, {"queue": q, "source_id": 2, "target_id": 1})
    assert ack["question"]["id"] == 1 and ack["question"]["votes"] == 3  # cy, di, ana: di once
    broadcast = received(ana, ev.QA_CHANGED)[0]
    assert broadcast["action"] == "merge"
    assert {x["id"]: x.get("hidden", False) for x in broadcast["questions"]} == {2: True, 1: False}
    assert call(mod, ev.QA_MERGE, {"queue": q, "source_id": 1, "target_id": 1})["error"]["field"] == "target_id"
    assert call(mod, ev.QA_MERGE, {"queue": q, "source_id": 2, "target_id": 1})["error"]["field"] == "source_id"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuestionVote)) == 5  # 3 on target, 2 kept on source
    # A voter who already counted on the target cannot vote twice: the toggle withdraws.
    assert call(di, ev.QA_VOTE, {"queue": q, "question_id": 1})["voted"] is False


def test_room_queue_reaches_room_and_moderators_only(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana, bo, cy = (participant_client(app, p) for p in meeting.people[:3])
    drain(mod, ana, bo, cy)
    room = meeting.room_of(meeting.people[0])
    assert call(ana, ev.QA_ASK, {"queue": ["room", room], "text": "Room question"})["ok"]
    assert received(cy, ev.QA_CHANGED)[0]["view"] == "audience"
    assert received(bo, ev.QA_CHANGED) == []
    assert [p["view"] for p in received(mod, ev.QA_CHANGED)] == ["moderator"]
    assert call(mod, ev.QA_PIN, {"queue": ["room", room], "question_id": 1})["ok"]
    assert call(mod, ev.QA_PIN, {"queue": ["room", 99999], "question_id": 1})["error"]["field"] == "permission"


def test_refused_moderation_changes_nothing(app: Flask, meeting: Meeting) -> None:
    mod = staff_client(app, meeting.slug)
    ana = participant_client(app, meeting.people[0])
    q = _queue(meeting)
    assert call(ana, ev.QA_ASK, {"queue": q, "text": "Only one"})["ok"]
    before = versions(app, meeting)
    for name, body in [(ev.QA_APPROVE, {"question_id": 1}), (ev.QA_REOPEN, {"question_id": 1}),
                       (ev.QA_UNPIN, {"question_id": 1}), (ev.QA_EDIT, {"question_id": 1, "text": ""}),
                       (ev.QA_DISMISS, {"question_id": 9}), (ev.QA_ANSWER, {}), (ev.QA_EDIT, {"question_id": 1})]:
        assert call(mod, name, {"queue": q, **body})["ok"] is False, name
    assert versions(app, meeting) == before


def test_organisers_seed_the_first_qa_from_applications(app: Flask, meeting: Meeting, organiser: Any,
                                                        moderator: Any) -> None:
    add_participant(app, meeting.event_id, "Named Person", key_questions=["What works?", "Who pays?"],
                    share="with_name")
    add_participant(app, meeting.event_id, "Shy Person", key_questions=["What fails?"], share="anonymous")
    add_participant(app, meeting.event_id, "Private Person", key_questions=["Secret?"], share="no")
    add_participant(app, meeting.event_id, "Rejected Person", key_questions=["Rejected?"], share="with_name",
                    status="rejected")
    mod = staff_client(app, meeting.slug)
    drain(mod)
    url = f"/api/events/{meeting.slug}/qa/seed"
    assert moderator.post(url, json={}).status_code == 403
    response = organiser.post(url, json={})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"stream": f"qa:item:{meeting.qa_item}", "version": 1, "seeded": 3}
    broadcast = next(p for p in received(mod, ev.QA_CHANGED) if p["view"] == "moderator")
    assert [(x["text"], x["author_name"], x["anonymous"]) for x in broadcast["questions"]] == [
        ("What works?", "Named Person", False), ("Who pays?", "Named Person", False), ("What fails?", None, True)]
    again = organiser.post(url, json={})
    assert again.status_code == 422 and again.get_json()["field"] == "item_id"
    assert organiser.post(url, json={"item_id": 99999}).get_json()["field"] == "item_id"
    assert organiser.post(url, json={"item": 1}).get_json()["field"] == "item"


def test_exports_as_csv_and_markdown(app: Flask, meeting: Meeting, organiser: Any, moderator: Any) -> None:
    mod = staff_client(app, meeting.slug)
    ana, bo = (participant_client(app, p) for p in meeting.people[:2])
    q = _queue(meeting)
    assert call(ana, ev.QA_ASK, {"queue": q, "text": "=HYPERLINK(\"x\") first?"})["ok"]
    assert call(bo, ev.QA_ASK, {"queue": q, "text": "Anonymous second", "anonymous": True})["ok"]
    assert call(bo, ev.QA_VOTE, {"queue": q, "question_id": 1})["ok"]
    assert call(mod, ev.QA_ANSWER, {"queue": q, "question_id": 1})["ok"]
    room = meeting.room_of(meeting.people[0])
    assert call(ana, ev.NOTES_EDIT, {"room_id": room, "text": "We agreed on *three* things.", "base_version": 0})["ok"]
    base = f"/api/events/{meeting.slug}/export"
    assert moderator.get(f"{base}/qa.csv").status_code == 403
    rows = list(csv.reader(io.StringIO(organiser.get(f"{base}/qa.csv").get_data(as_text=True))))
    assert rows[0][:4] == ["queue", "question_id", "status", "votes"]
    body = {r[1]: r for r in rows[1:]}
    assert body["1"][2:4] == ["answered", "1"] and body["1"][-1].startswith("'=")
    assert body["2"][5] == ""  # anonymous stays anonymous in the report
    assert body["1"][0] == "Questions and answers: Kazakhstan"
    md = organiser.get(f"{base}/qa.md")
    assert md.mimetype == "text/markdown" and "## Questions and answers: Kazakhstan" in md.get_data(as_text=True)
    notes = list(csv.reader(io.StringIO(organiser.get(f"{base}/notes.csv").get_data(as_text=True))))
    assert notes[0] == ["room", "version", "updated_at", "text"]
    assert [r[0] for r in notes[1:]] == ["Round 1 — Room 1", "Round 1 — Room 2"]
    assert notes[1][3] == "We agreed on *three* things." and notes[2][1] == "0"
    md_notes = organiser.get(f"{base}/notes.md").get_data(as_text=True)
    assert "## Round 1 — Room 1" in md_notes and "_No notes._" in md_notes
    assert organiser.get("/api/events/nope/export/qa.csv").status_code == 404
