"""Fan-out benchmark of the live meeting: N real Socket.IO clients watch one Q&A queue.

    .venv/bin/python bench/live.py                 # N = 100, 500, 1000, 2000; 1 and 2 processes
    .venv/bin/python bench/live.py --sizes 100 --votes 20
    .venv/bin/python bench/live.py --sizes 1000,2000 --servers 2 --postgres

Servers are real ``convene serve`` processes in gevent mode (one alone; two sharing Redis DB 12
on a channel of their own); clients are raw Engine.IO v4 / Socket.IO v5 WebSocket clients on
loopback, spread over a few client processes (gevent greenlets over websocket-client; they
decode only the version number, so they cost the box as little as a client can). Phase 1 sends
one upvote at a time and measures, per vote, the time until *every* client has the broadcast;
phase 2 has a few voters vote back to back and measures sustained votes per second fully
delivered. Clients and servers share the same 2 cores: the numbers are for the whole box.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/12"
VERSION = re.compile(r'"version":\s*(\d+)')


# ---------------------------------------------------------------------------------------------
# A minimal Socket.IO client (runs under gevent in client processes and in the driver)
# ---------------------------------------------------------------------------------------------


class RawClient:
    def __init__(self, port: int, token: str, origin: str) -> None:
        import websocket

        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", origin=origin, timeout=60
        )
        opened = self.ws.recv()
        assert opened.startswith("0"), opened
        self.ws.send("40" + json.dumps({"token": token}))
        while True:
            answer = self.ws.recv()
            if answer.startswith("40"):
                break
            if answer.startswith("44"):
                raise RuntimeError(answer)
        self.ack_id = 0

        self.waiting: dict[int, Any] = {}
        self.reader: Any = None

    def read_in_background(self) -> RawClient:
        """Read this socket all the time from a greenlet (the driver's voters): answer the server's
        pings and hand each ack to its caller. A socket read only inside ``call`` misses pings
        while the driver does other things (connecting the burst's crowd next to 2,000
        watchers takes a while), and the server closes it as dead."""
        import gevent

        self.ws.settimeout(None)
        self.reader = gevent.spawn(self._read)
        return self

    def _read(self) -> None:
        while True:
            try:
                message = self.ws.recv()
            except Exception:
                return
            if message == "2":
                self.ws.send("3")
            elif message.startswith("43"):
                ack_id = int(re.match(r"43(\d+)", message).group(1))  # type: ignore[union-attr]
                waiter = self.waiting.pop(ack_id, None)
                if waiter is not None:
                    waiter.set(json.loads(message[2 + len(str(ack_id)):])[0])

    def call(self, event: str, payload: dict) -> dict:  # type: ignore[type-arg]
        """Send an event with an ack and return the ack (broadcasts in between are skipped)."""
        self.ack_id += 1
        if self.reader is not None:
            from gevent.event import AsyncResult

            waiter = self.waiting[self.ack_id] = AsyncResult()
            self.ws.send(f"42{self.ack_id}" + json.dumps([event, payload]))
            return waiter.get(timeout=60)  # type: ignore[no-any-return]
        self.ws.send(f"42{self.ack_id}" + json.dumps([event, payload]))
        prefix = f"43{self.ack_id}"
        while True:
            message = self.ws.recv()
            if message == "2":
                self.ws.send("3")
            elif message.startswith(prefix):
                return json.loads(message[len(prefix):])[0]  # type: ignore[no-any-return]


def client_main(args: argparse.Namespace) -> None:
    """A client process: connect, report READY, timestamp qa:changed versions until told to stop."""
    from gevent import monkey

    monkey.patch_all()
    import gevent

    tokens = json.loads(Path(args.tokens).read_text())[args.first:args.first + args.count]
    ports = [int(p) for p in args.ports.split(",")]
    arrivals: dict[int, list[float]] = {}
    clients: list[RawClient] = []

    def connect(index: int, token: str) -> None:
        clients.append(RawClient(ports[(args.first + index) % len(ports)], token, args.origin))

    for start in range(0, len(tokens), 50):
        gevent.joinall([gevent.spawn(connect, start + i, t) for i, t in enumerate(tokens[start:start + 50])],
                       raise_error=True)

    def listen(client: RawClient) -> None:
        ws = client.ws
        ws.settimeout(None)
        while True:
            try:
                message = ws.recv()
            except Exception:
                return
            now = time.time()
            if message == "2":
                ws.send("3")
            elif message.startswith('42["qa:changed"'):
                match = VERSION.search(message)
                if match:
                    arrivals.setdefault(int(match.group(1)), []).append(now)

    for client in clients:
        gevent.spawn(listen, client)
    print(f"READY {len(clients)}", flush=True)
    gevent.get_hub().threadpool.apply(sys.stdin.readline)
    print(json.dumps({str(v): ts for v, ts in arrivals.items()}), flush=True)
    os._exit(0)


# ---------------------------------------------------------------------------------------------
# The bare row: a minimal Flask-SocketIO server, same async mode, same frames, same harness
# ---------------------------------------------------------------------------------------------


def bare_main(args: argparse.Namespace) -> None:
    """Serve ``qa:ask``/``qa:vote`` with no database and no logic: one frame per vote.

    Each vote raises a counter (Redis INCR when two processes share a message queue) and
    broadcasts a ``qa:changed`` frame padded to Convene's frame size, so the row measures what
    the stack itself costs to deliver the same bytes to the same sockets: the floor.
    """
    from gevent import monkey

    monkey.patch_all()
    import itertools

    from flask import Flask
    from flask_socketio import SocketIO
    from gevent import pywsgi

    app = Flask(__name__)
    queue = os.environ.get("REDIS_URL")
    sio = SocketIO(app, async_mode="gevent", message_queue=queue, channel=os.environ["SOCKETIO_CHANNEL"],
                   cors_allowed_origins="*")
    local = itertools.count(1)
    counter = None
    if queue:
        import redis

        counter = redis.Redis.from_url(queue)
    key = f"{os.environ['SOCKETIO_CHANNEL']}:version"
    pad = "x" * max(0, args.frame_bytes - 120)

    def next_version() -> int:
        return int(counter.incr(key)) if counter is not None else next(local)

    @sio.on("connect")
    def connect(auth: object = None) -> None:
        return None

    @sio.on("qa:ask")
    def ask(payload: dict) -> dict:  # type: ignore[type-arg]
        return {"ok": True, "version": next_version(), "question": {"id": 1}}

    @sio.on("qa:vote")
    def vote(payload: dict) -> dict:  # type: ignore[type-arg]
        version = next_version()
        sio.emit("qa:changed", {"stream": "qa:item:1", "view": "audience", "version": version,
                                "from_version": version, "questions": [{"id": 1, "votes": version, "pad": pad}]})
        return {"ok": True, "version": version, "voted": True}

    pywsgi.WSGIServer(("127.0.0.1", args.port), app, log=None).serve_forever()


def convene_frame_bytes() -> int:
    """The size of Convene's audience frame for one vote on the bench's question."""
    from datetime import UTC, datetime

    from server.sessions.qa import QAQueue, change_payload

    queue = QAQueue(key=("item", 1000))
    queue.ask(1001, "Bench question abcdef", datetime.now(UTC), author_name="Participant 1001")
    change = queue.vote(1, 1002)
    return len(json.dumps(["qa:changed", change_payload(queue, change, moderator=False)])) + 2


# ---------------------------------------------------------------------------------------------
# Setup: a database with one event and enough participants
# ---------------------------------------------------------------------------------------------


def setup_main(args: argparse.Namespace) -> None:
    from server import create_app
    from server.auth import new_token
    from server.events.seed import seed_events
    from server.extensions import db
    from server.live import store
    from server.models import AgendaItem, Application

    app = create_app({"INSTANCE_PATH": args.instance, "DATABASE_URL": args.database, "SECRET_KEY": "bench"})
    with app.app_context():
        from datetime import date

        from flask_migrate import upgrade

        upgrade()
        seed_events(date.today())
        event = db.session.execute(db.text("SELECT id FROM events ORDER BY id LIMIT 1")).scalar_one()
        qa_item = next(i for i in store.agenda_ids(event) if db.session.get(AgendaItem, i).kind == "qa")
        tokens = []
        for n in range(args.people):
            secret, hashed = new_token()
            a = Application(event_id=event, status="accepted", access_token_hash=hashed, email=f"p{n}@bench.example",
                            name=f"Participant {n}", role="exit_worker")
            a.set_country("DE")
            db.session.add(a)
            tokens.append(secret)
        db.session.commit()
    Path(args.tokens).write_text(json.dumps(tokens))
    print(json.dumps({"event_id": event, "qa_item": qa_item}))


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_case(n: int, servers: int, tokens: list[str], qa_item: int, base_env: dict[str, str], tmp: Path,
             votes: int, voters: int, seconds: float, client_procs: int, *, bare: bool = False,
             crowd_size: int = 200, burst_seconds: float = 5.0, frame_bytes: int = 400) -> dict[str, float]:
    import gevent

    from tests.support.procs import free_port, wait_for_port

    ports = [free_port() for _ in range(servers)]
    origin = f"http://127.0.0.1:{ports[0]}"
    channel = f"convene-bench-{uuid.uuid4().hex[:8]}"
    env = {**base_env, "BASE_URL": origin, "SOCKETIO_CHANNEL": channel}
    if servers > 1:
        env["REDIS_URL"] = REDIS_URL
    procs = []
    clients_procs: list[subprocess.Popen[str]] = []
    try:
        for port in ports:
            log = open(tmp / f"web-{port}.log", "wb")  # noqa: SIM115
            command = ([sys.executable, __file__, "--bare", "--port", str(port), "--frame-bytes", str(frame_bytes)]
                       if bare else [str(BIN / "convene"), "serve", "--port", str(port), "--no-seed", "--no-migrate"])
            procs.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
            wait_for_port(port, timeout=30, proc=procs[-1])
        # Voters and the asker are extra participants, after the N watchers.
        per = -(-n // client_procs)
        for k in range(client_procs):
            count = min(per, n - k * per)
            if count <= 0:
                break
            clients_procs.append(subprocess.Popen(
                [sys.executable, __file__, "--client", "--tokens", str(tmp / "tokens.json"), "--first", str(k * per),
                 "--count", str(count), "--ports", ",".join(map(str, ports)), "--origin", origin],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT))
        connected = 0
        for proc in clients_procs:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line.startswith("READY"), line
            connected += int(line.split()[1])
        assert connected == n
        gevent.sleep(1.5)  # let the coalesced presence broadcasts of the connection storm pass
        pool = [RawClient(ports[0], tokens[n + i], origin).read_in_background() for i in range(voters + 1)]
        asked = pool[-1].call("qa:ask", {"queue": ["item", qa_item], "text": f"Bench question {uuid.uuid4().hex[:6]}"})
        assert asked["ok"], asked
        qid = asked["question"]["id"]
        sent: dict[int, float] = {}
        # Phase 1: one vote at a time, a pause long enough for the fan-out to finish — after the
        # question's own frame too: a vote within the coalescing window after it would wait for
        # the window's end by design (docs/realtime.md), which is the burst's case, not this one.
        gevent.sleep(0.1 + n / 5000)
        for i in range(votes):
            t0 = time.time()
            ack = pool[i % voters].call("qa:vote", {"queue": ["item", qa_item], "question_id": qid})
            assert ack["ok"], ack
            sent[ack["version"]] = t0
            gevent.sleep(0.1 + n / 5000)
        paced = set(sent)
        # Phase 2: voters vote back to back for `seconds`.
        burst: dict[int, float] = {}
        stop = time.time() + seconds

        def hammer(client: RawClient) -> None:
            while time.time() < stop:
                t0 = time.time()
                ack = client.call("qa:vote", {"queue": ["item", qa_item], "question_id": qid})
                if ack.get("ok"):
                    burst[ack["version"]] = t0

        gevent.joinall([gevent.spawn(hammer, c) for c in pool[:voters]])
        gevent.sleep(2 + n / 1000)
        # Phase 3: a burst — `burst` people vote once each, spread evenly over `burst_seconds`.
        crowd = [RawClient(ports[i % len(ports)], tokens[n + voters + 1 + i], origin) for i in range(crowd_size)]
        asked = pool[-1].call("qa:ask", {"queue": ["item", qa_item], "text": f"Burst question {uuid.uuid4().hex[:6]}"})
        burst_qid = asked["question"]["id"]
        burst_acks: list[tuple[float, dict]] = []  # type: ignore[type-arg]
        begin = time.time() + 0.2

        def once(index: int, client: RawClient) -> None:
            gevent.sleep(max(0.0, begin + index * burst_seconds / crowd_size - time.time()))
            t0 = time.time()
            burst_acks.append((t0, client.call("qa:vote", {"queue": ["item", qa_item], "question_id": burst_qid})))

        gevent.joinall([gevent.spawn(once, i, c) for i, c in enumerate(crowd)])
        gevent.sleep(2 + n / 500)
        arrivals: dict[int, list[float]] = {}
        for proc in clients_procs:
            proc.stdin.write("DONE\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            for version, times in json.loads(proc.stdout.readline()).items():  # type: ignore[union-attr]
                arrivals.setdefault(int(version), []).extend(times)
        ok_burst = [(t0, a) for t0, a in burst_acks if a.get("ok")]
        final = max(a["version"] for _, a in ok_burst) if ok_burst else 0
        first_burst = min(a["version"] for _, a in ok_burst) if ok_burst else 0
        last_vote = max(t0 for t0, _ in ok_burst) if ok_burst else float("nan")
        have_final = arrivals.get(final, [])
        burst_frames = sum(len(times) for v, times in arrivals.items() if first_burst <= v <= final)
        everyone = [max(arrivals[v]) - sent[v] for v in sorted(paced) if len(arrivals.get(v, [])) == n]
        missing = sum(1 for v in paced if len(arrivals.get(v, [])) != n)
        # Coalesced frames skip intermediate versions: a vote is delivered once every client has
        # a frame at or past its version.
        reached = max((v for v, times in arrivals.items() if v in burst and len(times) == n), default=None)
        complete = [v for v in burst if reached is not None and v <= reached]
        span = (max(arrivals[reached]) - min(burst.values())) if complete and reached is not None else float("nan")
        return {
            "p50": percentile(everyone, 0.5) * 1000, "p99": percentile(everyone, 0.99) * 1000,
            "max": max(everyone) * 1000, "missing": missing,
            "vps": len(complete) / span if complete else 0.0, "burst": len(burst),
            "burst_incomplete": len(burst) - len(complete),
            "burst_ok": len(ok_burst), "burst_sent": len(burst_acks),
            "burst_lag": (max(have_final) - last_vote) * 1000 if len(have_final) == n else float("nan"),
            "burst_missing": n - len(have_final), "burst_frames": burst_frames / n,
        }
    finally:
        for proc in clients_procs:
            if proc.poll() is None:
                proc.kill()
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if servers > 1:
            import redis

            r = redis.Redis.from_url(REDIS_URL)
            keys = list(r.scan_iter(match=f"convene:{channel}:*"))
            if keys:
                r.delete(*keys)


def driver_main(args: argparse.Namespace) -> None:
    from gevent import monkey

    monkey.patch_all()
    tmp = Path(tempfile.mkdtemp(prefix="convene-bench-live-"))
    if args.postgres:
        from tests.support.backends import temporary_postgres_database

        with temporary_postgres_database() as url:
            bench(args, tmp, url)
    else:
        bench(args, tmp, f"sqlite:///{tmp / 'bench.sqlite3'}")


def bench(args: argparse.Namespace, tmp: Path, database: str) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    people = max(sizes) + args.voters + 1 + args.burst
    setup = subprocess.run([sys.executable, __file__, "--setup", "--database", database, "--instance", str(tmp),
                            "--people", str(people), "--tokens", str(tmp / "tokens.json")],
                           capture_output=True, text=True, cwd=ROOT, check=True)
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    tokens = json.loads((tmp / "tokens.json").read_text())
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base_env.update(DATABASE_URL=database, INSTANCE_PATH=str(tmp), SECRET_KEY="bench", SOCKETIO_ASYNC_MODE="gevent",
                    RATELIMIT_ENABLED="false")
    frame_bytes = convene_frame_bytes()
    print(f"live fan-out: one upvote at a time, {args.votes} votes per row; then {args.voters} voters back to back "
          f"for {args.seconds:.0f} s; then a burst of {args.burst} voters within {args.burst_seconds:.0f} s; "
          f"{os.cpu_count()} cores shared by servers and {args.client_procs} client processes; database: "
          + database.split(":")[0] + f"; bare = minimal Flask-SocketIO (gevent), one {frame_bytes}-byte frame per vote",
          flush=True)
    header = (f"{'clients':>7} {'procs':>5} {'server':>7} | {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'p99 x':>6} | "
              f"{'votes/s':>7} | {'burst lag ms':>12} {'frames/client':>13} {'acked':>7} | missing")
    print(header)
    print("-" * len(header), flush=True)
    deadline = time.time() + args.time_cap
    for n in sizes:
        for servers in (int(k) for k in args.servers.split(",")):
            floor = None
            for bare in (True, False):
                name = "bare" if bare else "convene"
                if time.time() > deadline:
                    print(f"{n:>7} {servers:>5} {name:>7} | skipped: time cap reached", flush=True)
                    continue
                r = run_case(n, servers, tokens, info["qa_item"], base_env, tmp, args.votes, args.voters, args.seconds,
                             args.client_procs, bare=bare, crowd_size=args.burst, burst_seconds=args.burst_seconds,
                             frame_bytes=frame_bytes)
                floor = r["p99"] if bare else floor
                ratio = f"{r['p99'] / floor:6.2f}" if floor and not bare else f"{'':>6}"
                print(f"{n:>7} {servers:>5} {name:>7} | {r['p50']:7.1f} {r['p99']:7.1f} {r['max']:7.1f} {ratio} | "
                      f"{r['vps']:7.1f} | {r['burst_lag']:12.0f} {r['burst_frames']:13.1f} "
                      f"{r['burst_ok']:>3}/{r['burst_sent']:<3} | {r['missing']} paced, {r['burst_missing']} burst",
                      flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,1000,2000")
    parser.add_argument("--servers", default="1,2", help="server processes per row (1: alone; 2: over Redis)")
    parser.add_argument("--votes", type=int, default=60, help="paced votes per row")
    parser.add_argument("--voters", type=int, default=8, help="voters in the back-to-back phase")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the back-to-back phase")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--burst", type=int, default=200, help="voters in the burst phase (one vote each)")
    parser.add_argument("--burst-seconds", type=float, default=5.0, help="the burst's votes are spread over this")
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--frame-bytes", type=int, default=400, help=argparse.SUPPRESS)
    parser.add_argument("--time-cap", type=float, default=900.0, help="skip rows that would start after this")
    parser.add_argument("--postgres", action="store_true", help="a temporary PostgreSQL database (default SQLite)")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--ports", help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--people", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args)
    elif args.bare:
        bare_main(args)
    elif args.setup:
        setup_main(args)
    else:
        sys.path.insert(0, str(ROOT))
        driver_main(args)


if __name__ == "__main__":
    main()
