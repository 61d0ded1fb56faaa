// Versioned streams over Socket.IO, exactly as docs/realtime.md says: one `last_seen` per
// stream; apply version+1, ignore stale, ask `sync:snapshot` on a gap (keeping what arrives
// meanwhile), and ask for every stream on connect and on each reconnect. No rendering here:
// pages give a reducer per topic and an onChange callback.
(function () {
  "use strict";

  const SNAPSHOT_TIMEOUT_MS = 8000;

  function topicOf(stream) { return stream.split(":")[0]; }

  // classify_version of server/sessions/protocol.py. A coalesced frame covers the versions
  // fromVersion..incoming (a single change: fromVersion === incoming); it carries their
  // combined effect as absolute state, so it applies whenever it starts at or before the
  // next version we need and ends after the last one we have.
  function classify(lastSeen, incoming, fromVersion) {
    const from = fromVersion === undefined || fromVersion === null ? incoming : fromVersion;
    if (lastSeen === undefined || lastSeen === null) return "gap";
    if (incoming <= lastSeen) return "stale";
    if (from <= lastSeen + 1) return "apply";
    return "gap";
  }
  const HEARTBEAT_GRACE_MS = 1000; // a broadcast may still be on its way when the heartbeat comes

  // Q&A: a snapshot lists the queue; a broadcast lists the questions one change touched.
  const STATUS_RANK = { live: 0, pending: 1, answered: 2, dismissed: 3, merged: 4 };
  function sortQuestions(list) {
    return list.sort((a, b) =>
      (STATUS_RANK[a.status] - STATUS_RANK[b.status]) ||
      ((b.pinned ? 1 : 0) - (a.pinned ? 1 : 0)) ||
      (b.votes - a.votes) || (a.id - b.id));
  }
  const reducers = {
    agenda: { snapshot: (s) => s, apply: (_old, p) => p },
    speaker: { snapshot: (s) => s, apply: (_old, p) => p },
    notes: { snapshot: (s) => s, apply: (_old, p) => p },
    presence: { snapshot: (s) => s, apply: (_old, p) => p },
    qa: {
      snapshot: (s) => ({ ...s, questions: sortQuestions([...s.questions]) }),
      apply: (old, p) => {
        const byId = new Map(old.questions.map((q) => [q.id, q]));
        for (const q of p.questions) {
          const before = byId.get(q.id);
          if (q.hidden) {
            // An author keeps their own pending question; everything else hidden goes.
            if (before && before.mine && q.status === "pending") byId.set(q.id, { ...before, status: "pending" });
            else byId.delete(q.id);
            continue;
          }
          // Audience broadcasts are viewer-neutral: keep our own `mine` and `voted` flags.
          byId.set(q.id, p.view === "audience" && before ? { ...q, mine: before.mine, voted: before.voted } : q);
        }
        return { ...old, version: p.version, moderation: p.moderation, questions: sortQuestions([...byId.values()]) };
      },
    },
  };

  function LiveSync(options) {
    this.socket = options.socket;
    this.view = options.view || "audience"; // moderators keep only moderator views
    this.onChange = options.onChange || function () {};
    this.onAssignment = options.onAssignment || function () {};
    this.wanted = new Set();
    this.state = new Map(); // stream -> state
    this.lastSeen = new Map(); // stream -> version
    this.kept = new Map(); // stream -> broadcasts kept while a snapshot is on its way
    this.pending = new Set(); // streams with a snapshot request in flight
    this.clockOffset = 0; // server time - our time, ms
    const self = this;
    for (const event of options.broadcasts) {
      this.socket.on(event, (payload) => self.receive(payload));
    }
    this.socket.on("sync:versions", (payload) => self.heartbeat(payload));
    this.socket.on("connect", () => self.resyncAll());
  }

  // The server's periodic versions from the database: a stream we are behind on gets a
  // snapshot if the missing broadcast has not arrived a moment later (lost, or Redis was down).
  LiveSync.prototype.heartbeat = function (payload) {
    if (!payload || !payload.streams) return;
    const behind = [];
    for (const [stream, version] of Object.entries(payload.streams)) {
      if (!this.wanted.has(stream) || this.pending.has(stream)) continue;
      const seen = this.lastSeen.get(stream);
      if (seen === undefined || seen < version) behind.push([stream, version]);
    }
    if (!behind.length) return;
    const self = this;
    setTimeout(() => {
      const still = behind.filter(([s, v]) => self.wanted.has(s) && !self.pending.has(s) &&
        (self.lastSeen.get(s) === undefined || self.lastSeen.get(s) < v)).map(([s]) => s);
      if (still.length) self.requestSnapshots(still);
    }, HEARTBEAT_GRACE_MS);
  };

  LiveSync.prototype.now = function () { return Date.now() + this.clockOffset; };

  LiveSync.prototype.setWanted = function (streams) {
    const next = new Set(streams);
    const added = [...next].filter((s) => !this.wanted.has(s));
    for (const s of this.wanted) {
      if (!next.has(s)) { this.state.delete(s); this.lastSeen.delete(s); this.kept.delete(s); this.pending.delete(s); }
    }
    this.wanted = next;
    if (added.length && this.socket.connected) this.requestSnapshots(added);
  };

  LiveSync.prototype.get = function (stream) { return this.state.get(stream); };

  LiveSync.prototype.resyncAll = function () {
    this.pending.clear();
    this.requestSnapshots([...this.wanted]);
  };

  // Instants on the wire are whole seconds; remaining_seconds is exact, so when the rooms'
  // end is known the clock is corrected from it (end - remaining = the server's now).
  LiveSync.prototype.noteClock = function (payload) {
    if (!payload) return;
    if (payload.breakouts_end_at && typeof payload.remaining_seconds === "number") {
      this.clockOffset = new Date(payload.breakouts_end_at).getTime() - payload.remaining_seconds * 1000 - Date.now();
    } else if (payload.server_now) {
      this.clockOffset = new Date(payload.server_now).getTime() - Date.now();
    }
  };

  LiveSync.prototype.receive = function (payload) {
    if (!payload || typeof payload.stream !== "string") return;
    const stream = payload.stream;
    if (!this.wanted.has(stream)) return;
    if (payload.view && payload.view !== this.view) return;
    const reducer = reducers[topicOf(stream)];
    if (payload.version === null || payload.version === undefined) { // presence: the whole state
      this.state.set(stream, reducer.snapshot(payload));
      this.onChange(stream, this.state.get(stream), payload);
      return;
    }
    if (this.pending.has(stream)) { this.keep(stream, payload); return; }
    const verdict = classify(this.lastSeen.get(stream), payload.version, payload.from_version);
    if (verdict === "stale") return;
    if (verdict === "gap") { this.keep(stream, payload); this.requestSnapshots([stream]); return; }
    this.applyOne(stream, payload);
  };

  LiveSync.prototype.keep = function (stream, payload) {
    if (!this.kept.has(stream)) this.kept.set(stream, []);
    this.kept.get(stream).push(payload);
  };

  LiveSync.prototype.applyOne = function (stream, payload) {
    const reducer = reducers[topicOf(stream)];
    const old = this.state.get(stream);
    this.state.set(stream, old === undefined ? reducer.snapshot(payload) : reducer.apply(old, payload));
    this.lastSeen.set(stream, payload.version);
    if (topicOf(stream) === "agenda") this.noteClock(payload);
    this.onChange(stream, this.state.get(stream), payload);
  };

  LiveSync.prototype.requestSnapshots = function (streams) {
    const ask = streams.filter((s) => this.wanted.has(s));
    if (!ask.length || !this.socket.connected) return;
    ask.forEach((s) => this.pending.add(s));
    const self = this;
    this.socket.timeout(SNAPSHOT_TIMEOUT_MS).emit("sync:snapshot", { streams: ask }, (err, ack) => {
      if (err || !ack || !ack.ok) {
        ask.forEach((s) => self.pending.delete(s));
        if (ack && ack.error && typeof ack.error.field === "string" && ack.error.field.startsWith("streams[")) {
          // A stream we may no longer read (e.g. a room we left): stop asking for it.
          const index = Number(ack.error.field.slice(8, -1));
          self.wanted.delete(ask[index]);
        }
        setTimeout(() => self.requestSnapshots(ask), 1000);
        return;
      }
      if (Object.prototype.hasOwnProperty.call(ack, "assignment")) self.onAssignment(ack.assignment, true);
      for (const stream of ask) {
        self.pending.delete(stream);
        const snap = ack.snapshots[stream];
        if (!snap || !self.wanted.has(stream)) continue;
        const reducer = reducers[topicOf(stream)];
        self.state.set(stream, reducer.snapshot(snap));
        if (snap.version !== null && snap.version !== undefined) self.lastSeen.set(stream, snap.version);
        if (topicOf(stream) === "agenda") self.noteClock(snap);
        self.onChange(stream, self.state.get(stream), null);
        // Replay what arrived meanwhile and is newer; drop the rest.
        const kept = (self.kept.get(stream) || []).sort((a, b) => a.version - b.version);
        self.kept.delete(stream);
        for (const payload of kept) self.receive(payload);
      }
    });
  };

  // Apply our own ack to a question (it carries our flags: mine, voted).
  LiveSync.prototype.mergeOwnQuestion = function (stream, question, voted) {
    const old = this.state.get(stream);
    if (!old || !question) return;
    const list = old.questions.filter((q) => q.id !== question.id);
    const before = old.questions.find((q) => q.id === question.id);
    const merged = { ...(before || {}), ...question };
    if (voted !== undefined) merged.voted = voted;
    if (before && before.votes !== undefined && question.votes === undefined) merged.votes = before.votes;
    list.push(merged);
    this.state.set(stream, { ...old, questions: sortQuestions(list) });
    this.onChange(stream, this.state.get(stream), null);
  };

  // Small DOM helpers shared by the pages: text only, never HTML from data.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clock(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const m = Math.floor(s / 60);
    return `${m}:${String(s % 60).padStart(2, "0")}`;
  }

  const hm = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  function localTime(iso) { return iso ? hm.format(new Date(iso)) : ""; }

  // Connection banner: "connected", "reconnecting", "offline"; the page's root carries it too.
  function watchConnection(socket, banner, root) {
    function show(state, text) {
      root.dataset.state = state;
      banner.textContent = text;
      banner.className = `conn ${state}`;
    }
    socket.on("connect", () => show("connected", gettext("Connected: live.")));
    // Which transport carries the connection (polling first, then upgraded to websocket).
    const engine = () => socket.io.engine;
    socket.on("connect", () => {
      root.dataset.transport = engine().transport.name;
      engine().once("upgrade", (t) => { root.dataset.transport = t.name; });
    });
    socket.on("disconnect", (reason) => {
      show("reconnecting", gettext("Reconnecting… what you see may be out of date."));
      if (/^io server disconnect$/.test(reason)) socket.connect();
    });
    socket.io.on("reconnect_attempt", () => show("reconnecting", gettext("Reconnecting… what you see may be out of date.")));
    socket.on("connect_error", (err) => {
      const data = err && err.data;
      if (data && data.field) show("refused", gettext("Could not join: %(reason)s").replace("%(reason)s", data.reason));
      else show("reconnecting", gettext("Reconnecting… what you see may be out of date."));
    });
  }

  window.ConveneLive = { LiveSync, classify, sortQuestions, el, clock, localTime, watchConnection };
})();
