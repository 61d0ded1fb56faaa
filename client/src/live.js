// The participant's live page: what is on now, the countdown, their room and its people,
// the Q&A of where they are, a hand to raise, announcements and room notes.
(function () {
  "use strict";
  const L = window.ConveneLive;
  const { el } = L;
  const root = document.getElementById("live");
  const cfg = JSON.parse(document.getElementById("live-config").textContent);
  const $ = (id) => document.getElementById(id);
  const items = new Map(cfg.items.map((i) => [i.id, i]));
  const E = cfg.event_id;
  const S = { agenda: `agenda:${E}`, presence: `presence:${E}`, plenary: `speaker:plenary:${E}` };
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k]));

  // Transient messages ("Sent.", "Saved.", refusals) clear themselves: 4 s, errors 10 s.
  const sayTimers = new Map();
  function say(id, text, error) {
    const node = $(id);
    if (!node) return;
    node.textContent = text;
    clearTimeout(sayTimers.get(id));
    sayTimers.delete(id);
    if (text) sayTimers.set(id, setTimeout(() => { node.textContent = ""; sayTimers.delete(id); }, error ? 10000 : 4000));
  }
  const saying = (id) => sayTimers.has(id); // a transient message is showing: renders leave it

  // Announcements a person dismissed, remembered in this browser (per event).
  const DISMISSED_KEY = `convene:dismissed-announcements:${E}`;
  function dismissedIds() {
    try { return new Set(JSON.parse(window.localStorage.getItem(DISMISSED_KEY) || "[]")); } catch (e) { return new Set(); }
  }
  function dismiss(id) {
    const ids = dismissedIds();
    ids.add(id);
    try { window.localStorage.setItem(DISMISSED_KEY, JSON.stringify([...ids].slice(-100))); } catch (e) { /* private mode: this page only */ }
    dismissedNow.add(id);
    renderAnnouncements();
  }
  const dismissedNow = dismissedIds();

  let assignment = null; // {round_id, room_id, room_name, video_url}
  let members = [];
  let lastRoomCount = null;
  const myPending = new Set(); // ids of our own pending questions (from our ask acks)

  const socket = window.io({ auth: { token: cfg.token }, reconnectionDelay: 500, reconnectionDelayMax: 3000 });
  L.watchConnection(socket, $("conn"), root);
  const sync = new L.LiveSync({
    socket,
    broadcasts: ["agenda:state", "qa:changed", "speaker:state", "notes:state", "presence:state"],
    onChange: (stream, state) => {
      if (stream === S.agenda) refreshStreams();
      if (stream === S.presence && roomId()) {
        const count = (state.rooms || {})[String(roomId())];
        if (count !== lastRoomCount) { lastRoomCount = count; loadMembers(); }
      }
      render();
    },
    onAssignment: (a) => setAssignment(a),
  });
  socket.on("room:assigned", (a) => setAssignment(a));

  function agenda() { return sync.get(S.agenda); }
  function inRooms() { const a = agenda(); return !!(a && a.mode === "breakouts" && assignment && assignment.room_id); }
  function roomId() { return assignment && assignment.room_id ? assignment.room_id : null; }
  // Where the participant is: their room while rooms are open, else the plenary's current item.
  function qaStream() {
    if (inRooms()) return `qa:room:${roomId()}`;
    const a = agenda();
    return a && a.current_item ? `qa:item:${a.current_item}` : null;
  }
  function speakerStream() { return inRooms() ? `speaker:room:${roomId()}` : S.plenary; }
  function queueOf(stream) { const p = stream.split(":"); return [p[1], Number(p[2])]; }

  function refreshStreams() {
    const streams = [S.agenda, S.presence, S.plenary];
    const qa = qaStream();
    if (qa) streams.push(qa);
    if (roomId()) streams.push(`speaker:room:${roomId()}`, `notes:room:${roomId()}`);
    sync.setWanted(streams);
  }

  function setAssignment(a) {
    const changed = JSON.stringify(a || null) !== JSON.stringify(assignment);
    assignment = a && a.room_id ? a : null;
    if (changed) { refreshStreams(); loadMembers(); }
    render();
  }

  function loadMembers() {
    fetch(cfg.room_url, { credentials: "same-origin", cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => { if (data) { members = data.members || []; if (data.room) $("room-topic").textContent = data.room.topic || ""; render(); } })
      .catch(() => {});
  }

  // ---- rendering (text only) -------------------------------------------------------------
  function render() {
    renderNow(); renderRoom(); renderQA(); renderSpeakers(); renderNotes(); renderAnnouncements();
    const p = sync.get(S.presence);
    $("presence").textContent = p ? fill(window.ngettext("%(n)s participant online", "%(n)s participants online", p.participants), { n: p.participants }) : "";
  }

  function renderNow() {
    const a = agenda();
    const title = $("now-title");
    if (!a) return;
    const item = a.current_item ? items.get(a.current_item) : null;
    if (a.mode === "breakouts") {
      title.textContent = assignment ? fill(gettext("Break-out rooms are open: go to %(room)s."), { room: assignment.room_name }) : gettext("Break-out rooms are open.");
    } else if (item) {
      title.textContent = item.title;
    } else {
      title.textContent = a.mode === "idle" ? gettext("Not started yet.") : gettext("Plenary");
    }
    $("now-time").textContent = item && a.mode !== "breakouts"
      ? fill(gettext("%(start)s–%(end)s %(zone)s (%(local_start)s–%(local_end)s your time)"), { start: item.start_local, end: item.end_local, zone: cfg.timezone, local_start: L.localTime(item.start_utc), local_end: L.localTime(item.end_utc) }) : "";
    const index = a.agenda.indexOf(a.current_item);
    const following = index >= 0 && index + 1 < a.agenda.length ? items.get(a.agenda[index + 1]) : null;
    $("next").textContent = following ? fill(gettext("Next: %(title)s"), { title: following.title }) : "";
    tick();
  }

  setInterval(renderBefore, 250); // the countdown to the start shows each second as it passes
  function tick() {
    renderBefore();
    const a = agenda();
    const box = $("countdown");
    if (!a || a.mode !== "breakouts" || !a.breakouts_end_at) { box.hidden = true; return; }
    const left = (new Date(a.breakouts_end_at).getTime() - sync.now()) / 1000;
    box.hidden = false;
    box.textContent = left > 0 ? fill(a.closing ? gettext("Closing: %(time)s left in the rooms") : gettext("%(time)s left in the rooms"), { time: L.clock(left) })
      : gettext("Time is up: back to the plenary.");
  }
  setInterval(tick, 1000);

  function renderRoom() {
    $("room-none").hidden = !!assignment;
    $("room").hidden = !assignment;
    if (!assignment) return;
    $("room-name").textContent = assignment.room_name || "";
    const video = $("room-video");
    if (assignment.video_url && /^https?:\/\//i.test(assignment.video_url)) {
      video.href = assignment.video_url; video.hidden = false;
    } else { video.hidden = true; }
    const list = $("room-members");
    const staff = assignment.staff_facilitator;
    list.replaceChildren(...(staff ? [el("li", { class: "staff-facilitator" },
      el("span", { class: "member-name", text: staff.name }),
      el("span", { class: "meta", text: gettext("facilitator (staff)") }))] : []),
    ...members.map((m) => el("li", {},
      el("span", { class: "member-name", text: m.id === cfg.me ? `${m.name} (you)` : m.name }),
      el("span", { class: "meta", text: `${m.role} · ${m.country}` }))));
  }

  function renderQA() {
    const stream = qaStream();
    $("qa-none").hidden = !!stream;
    $("qa").hidden = !stream;
    const a = agenda();
    $("qa-where").textContent = !stream ? "" : inRooms() ? `· ${assignment.room_name}`
      : `· ${(items.get(a.current_item) || {}).title || ""}`;
    if (!stream) return;
    const q = sync.get(stream);
    $("qa-mod").hidden = !(q && q.moderation === "pre");
    const list = $("questions");
    if (!q) { list.replaceChildren(); return; }
    list.replaceChildren(...q.questions.filter((x) => x.status !== "pending" || x.mine || myPending.has(x.id))
      .map((x) => questionRow(stream, x)));
  }

  function questionRow(stream, x) {
    const status = x.status === "answered" ? gettext("Answered") : x.status === "pending" ? gettext("Waiting for a moderator") : x.pinned ? gettext("Pinned") : "";
    const vote = el("button", {
      type: "button", class: x.voted ? ["vote", "voted"].join(" ") : ["vote", "secondary"].join(" "), "aria-pressed": x.voted ? "true" : "false",
      disabled: x.status !== "live" || x.mine,
      // No gettext() inside a template literal: Babel's extractor misses it (then no translation).
      "aria-label": (x.voted ? gettext("Withdraw my vote") : gettext("Vote")) + " (" +
        fill(window.ngettext("%(n)s vote", "%(n)s votes", x.votes), { n: x.votes }) + ")",
      onclick: () => voteFor(stream, x),
    }, `▲ ${x.votes}`);
    return el("li", { class: `question ${x.status}${x.pinned ? " pinned" : ""}`, "data-id": x.id },
      vote,
      el("div", { class: "q-body" },
        el("p", { class: "q-text", text: x.text }),
        el("p", { class: "meta" }, x.author_name ? x.author_name : gettext("Anonymous"), x.mine ? " " + gettext("(you)") : "",
          x.edited ? " · " + gettext("edited") : "", status ? " · " : "", status ? el("span", { class: `badge ${x.status}`, text: status }) : null)));
  }

  function voteFor(stream, x) {
    socket.timeout(8000).emit("qa:vote", { queue: queueOf(stream), question_id: x.id }, (err, ack) => {
      if (err || !ack.ok) { say("ask-msg", err ? gettext("Not sent: offline.") : ack.error.reason, true); return; }
      sync.mergeOwnQuestion(stream, ack.question, ack.voted);
    });
  }

  $("ask") && $("ask").addEventListener("submit", (e) => {
    e.preventDefault();
    const stream = qaStream();
    const text = $("ask-text").value;
    if (!stream || !text.trim()) return;
    say("ask-msg", gettext("Sending…"));
    socket.timeout(8000).emit("qa:ask", { queue: queueOf(stream), text, anonymous: $("ask-anon").checked }, (err, ack) => {
      if (err) { say("ask-msg", gettext("Not sent: you are offline. Try again."), true); return; }
      if (!ack.ok) { say("ask-msg", fill(gettext("Not sent: %(reason)s"), ack.error), true); return; }
      $("ask-text").value = "";
      if (ack.question && ack.question.status === "pending") myPending.add(ack.question.id);
      say("ask-msg", ack.question && ack.question.status === "pending" ? gettext("Sent: a moderator will read it first.") : gettext("Sent."));
      sync.mergeOwnQuestion(stream, { ...ack.question, mine: true });
    });
  });

  function renderSpeakers() {
    const stream = speakerStream();
    const s = sync.get(stream);
    $("hand-where").textContent = inRooms() ? `· ${assignment.room_name}` : "· " + gettext("plenary");
    const hand = $("hand");
    if (!s) return;
    const raised = s.waiting.some((w) => w.person_id === cfg.me);
    const speaking = s.current && s.current.person_id === cfg.me;
    hand.textContent = raised ? gettext("Lower my hand") : gettext("Raise my hand");
    hand.setAttribute("aria-pressed", raised ? "true" : "false");
    hand.disabled = speaking || (s.closed && !raised);
    $("speaker-now").textContent = s.current ? (speaking ? gettext("You have the floor.") : fill(gettext("%(name)s has the floor."), s.current)) : gettext("Nobody has the floor.");
    $("waiting").replaceChildren(...s.waiting.map((w) => el("li", {}, w.name, w.person_id === cfg.me ? " " + gettext("(you)") : "")));
  }

  $("hand") && $("hand").addEventListener("click", () => {
    const stream = speakerStream();
    const s = sync.get(stream);
    const raised = s && s.waiting.some((w) => w.person_id === cfg.me);
    socket.timeout(8000).emit(raised ? "speaker:lower" : "speaker:raise", { queue: queueOf(stream) },
      (err, ack) => { if (err || !ack.ok) say("hand-msg", err ? gettext("Not sent: offline.") : ack.error.reason, true); });
  });

  // Room notes are shared as they are typed (notes.js): this page only shows or hides them.
  const notes = $("notes-text") && new window.ConveneNotes.SharedNotes(socket, $("notes-text"), $("notes-msg"),
                                                                       $("notes-typing"));
  function renderNotes() {
    const id = roomId();
    $("notes-panel").hidden = !id;
    if (!notes) return;
    notes.setRoom(id);
    const stream = id ? sync.get(`notes:room:${id}`) : null;
    if (stream) notes.compare(stream.text);
  }
  $("notes") && $("notes").addEventListener("submit", (e) => e.preventDefault());

  function renderAnnouncements() {
    const a = agenda();
    if (!a) return;
    const list = a.announcements.filter((x) => (x.target === "everyone" || inRooms()) && !dismissedNow.has(x.id));
    $("announcements").replaceChildren(...(list.length ? [...list].reverse().map((x) =>
      el("li", { "data-id": x.id }, el("time", { datetime: x.at, text: L.localTime(x.at) }), " ", x.text,
        el("button", { type: "button", class: ["dismiss", "secondary"].join(" "), "aria-label": fill(gettext("Dismiss: %(text)s"), { text: x.text.slice(0, 60) }),
          onclick: () => dismiss(x.id) }, gettext("Dismiss"))))
      : [el("li", { class: "meta", text: gettext("None yet.") })]));
    const newest = list[list.length - 1];
    $("announce").hidden = !newest;
    if (newest) { $("announce-text").textContent = newest.text; $("announce").dataset.id = newest.id; }
  }
  $("announce-dismiss") && $("announce-dismiss").addEventListener("click", () => dismiss(Number($("announce").dataset.id)));

  // ---- before the meeting and between the mornings: when it starts, in the person's zone ----
  const viewerZone = cfg.viewer_timezone || undefined;
  const whenFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: viewerZone, timeZoneName: "short" });
  const eventFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: cfg.timezone });
  function nextStart(a) {
    const now = sync.now();
    const cur = a.current_item ? items.get(a.current_item) : null;
    if (a.mode === "breakouts") return null;
    if (a.mode !== "idle" && !(cur && new Date(cur.end_utc).getTime() < now)) return null;
    const upcoming = cfg.items.filter((i) => new Date(i.start_utc).getTime() > now && (!cur || i.day !== cur.day))
      .sort((x, y) => x.start_utc.localeCompare(y.start_utc));
    return upcoming.length ? upcoming[0] : null;
  }
  function renderBefore() {
    const a = agenda();
    const next = a ? nextStart(a) : null;
    $("before").hidden = !next;
    if (!next) return;
    const start = new Date(next.start_utc);
    $("before-h").textContent = a.mode === "idle" && a.current_item === null ? gettext("The meeting starts") : gettext("The next morning starts");
    $("before-when").textContent = whenFormat.format(start);
    $("before-event").textContent = fill(gettext("%(time)s in %(zone)s, the meeting's time"), { time: eventFormat.format(start), zone: cfg.timezone });
    const left = (start.getTime() - sync.now()) / 1000;
    const days = Math.floor(left / 86400);
    const rest = window.ConveneClocks.clock(Math.ceil(left - days * 86400));
    $("before-countdown").textContent = days > 0
      ? fill(window.ngettext("in %(n)s day and %(time)s", "in %(n)s days and %(time)s", days), { n: days, time: rest })
      : fill(gettext("in %(time)s"), { time: rest });
  }

  refreshStreams();
})();
