"""A burst of votes: never refused for being concurrent, coalesced, and every client converges
to exactly the database's counts (with the coalescing window on, as in production)."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from server.sessions import protocol as ev
from tests.support.live import (
    Meeting,
    Mirror,
    add_participant,
    call,
    make_meeting,
    participant_client,
    staff_client,
)

VOTERS = 24
ROUNDS = 3  # each voter votes, withdraws, votes again on a question: 72 changes in a burst


def _database_votes(app: Flask, meeting: Meeting) -> dict[int, int]:
    from server.extensions import db
    from server.models.live import QAQueueRow, QuestionRow, QuestionVote

    with app.app_context():
        rows = db.session.execute(
            select(QuestionRow.seq, func.count(QuestionVote.id))
            .join(QAQueueRow, QAQueueRow.id == QuestionRow.queue_id)
            .outerjoin(QuestionVote, QuestionVote.question_id == QuestionRow.id)
            .where(QAQueueRow.kind == "item", QAQueueRow.ref_id == meeting.qa_item)
            .group_by(QuestionRow.seq)
        ).all()
        return {int(seq): int(n) for seq, n in rows}


def test_a_burst_of_votes_converges_to_the_database_on_every_client(app: Flask) -> None:
    app.config.update(LIVE_PRESENCE_DEBOUNCE=0, LIVE_COALESCE_SECONDS=0.1)
    meeting = make_meeting(app, participants=2)
    people = meeting.people + [add_participant(app, meeting.event_id, f"Voter {n}") for n in range(VOTERS)]
    queue = ["item", meeting.qa_item]
    stream = f"qa:item:{meeting.qa_item}"
    asker = participant_client(app, people[0])
    for text in ("First question?", "Second question?"):
        assert call(asker, ev.QA_ASK, {"queue": queue, "text": text})["ok"]
    watchers = [participant_client(app, p) for p in people[:2]]
    mod = staff_client(app, meeting.slug)
    mirrors = [Mirror(call(c, ev.SYNC_SNAPSHOT, {"streams": [stream]})["snapshots"]) for c in [*watchers, mod]]
    for client in [*watchers, mod]:
        client.get_received()
    voters = [participant_client(app, p) for p in people[2:]]
    acks: list[dict[str, Any]] = []
    lock = threading.Lock()

    def vote(client: Any, index: int) -> None:
        for n in range(ROUNDS):
            ack = call(client, ev.QA_VOTE, {"queue": queue, "question_id": 1 + (index + n) % 2})
            with lock:
                acks.append(ack)

    threads = [threading.Thread(target=vote, args=(c, i)) for i, c in enumerate(voters)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(0.4)  # longer than the window: the last coalesced frame is out

    refused = [a for a in acks if not a["ok"]]
    assert refused == [] and len(acks) == VOTERS * ROUNDS
    versions = sorted(a["version"] for a in acks)
    assert versions == list(range(3, 3 + VOTERS * ROUNDS))  # one version each, none lost or shared
    truth = _database_votes(app, meeting)
    assert sum(truth.values()) == sum(1 for a in acks if a["voted"]) - sum(1 for a in acks if not a["voted"])
    for client, mirror, view in zip([*watchers, mod], mirrors, ["audience", "audience", "moderator"], strict=True):
        frames = [m["args"][0] for m in client.get_received() if m["name"] == ev.QA_CHANGED]
        for frame in frames:
            if mirror.apply(frame, view) == "gap":  # what livesync.js does: ask for a snapshot
                mirror.load(call(client, ev.SYNC_SNAPSHOT, {"streams": [stream]})["snapshots"])
        assert mirror.seen[stream] == versions[-1]
        assert mirror.votes(stream) == truth
        print(f"{view}: {len(frames)} frames, {mirror.gaps} gaps")
        assert mirror.gaps <= 2  # a version late by more than the window: rare, and repaired
        mine = [f for f in frames if f.get("view") == view]
        assert len(mine) < VOTERS * ROUNDS  # coalesced: fewer frames than changes
        assert all(f["from_version"] <= f["version"] for f in mine)


def test_the_fan_out_sees_a_frame_still_queued_on_a_socket_until_it_is_written(app: Flask) -> None:
    """The coalescer's "is the last frame written?" reads engine.io's own outgoing queue of each
    socket in the frame's rooms: a frame emitted to a room waits there until the socket's writer
    takes it. Real python-socketio / engine.io objects (a socket registered as a connection
    would be), so a change of the library's structures fails here rather than silently turning
    the write-following rule off."""
    import engineio.socket

    from server.extensions import socketio
    from server.live.emit import _local_backlog
    from server.live.fanout import Frame

    with app.app_context():
        server = socketio.server
        eio_sid = "bench-socket-1"
        sock = engineio.socket.Socket(server.eio, eio_sid)
        server.eio.sockets[eio_sid] = sock
        sid = server.manager.connect(eio_sid, "/")
        try:
            server.manager.enter_room(sid, "/", "event:424242")
            frame = Frame(ev.QA_CHANGED, "event:424242", {"stream": "qa:item:1", "version": 1, "questions": []})
            elsewhere = Frame(ev.QA_CHANGED, ["event:99", "room:7"], {"stream": "qa:room:7", "version": 1})
            assert not _local_backlog(frame)  # nothing sent yet
            socketio.emit(frame.event, frame.payload, to=frame.to, ignore_queue=True)
            assert _local_backlog(frame)  # queued, not written
            assert not _local_backlog(elsewhere)  # other rooms' sockets are not this frame's
            sock.queue.get(block=False)  # what the socket's writer does before writing it
            assert not _local_backlog(frame)
        finally:
            server.manager.disconnect(sid, "/")
            server.eio.sockets.pop(eio_sid, None)
