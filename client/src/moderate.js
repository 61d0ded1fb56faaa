// The moderator console: drive the agenda and the break-outs, moderate the Q&A, run the
// speakers' lists, see who is here and move people between rooms.
(function () {
  "use strict";
  const L = window.ConveneLive;
  const { el } = L;
  const root = document.getElementById("console");
  const cfg = JSON.parse(document.getElementById("live-config").textContent);
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const items = new Map(cfg.items.map((i) => [i.id, i]));
  const E = cfg.event_id;
  const S = { agenda: `agenda:${E}`, presence: `presence:${E}` };

  let qaChoice = null; // "item:<id>" | "room:<id>"; null follows the current item
  let spkChoice = `plenary:${E}`;
  let rooms = []; // [{id, name, count, members: [{application_id, name, role_label, country}]}]
  let roomsRound = null;

  const socket = window.io({ auth: { event: cfg.slug }, reconnectionDelay: 500, reconnectionDelayMax: 3000 });
  L.watchConnection(socket, $("conn"), root);
  const sync = new L.LiveSync({
    socket, view: "moderator",
    broadcasts: ["agenda:state", "qa:changed", "speaker:state", "notes:state", "presence:state"],
    onChange: (stream) => { if (stream === S.agenda) { refreshStreams(); loadRooms(); } render(); },
  });

  function say(text) { $("msg").textContent = text; }
  function send(event, payload, done) {
    socket.timeout(8000).emit(event, payload, (err, ack) => {
      if (err) { say("Not sent: the connection is down. Try again when it is back."); return; }
      if (!ack.ok) { say(`Refused (${ack.error.field}): ${ack.error.reason}`); return; }
      // Committed, but a later step failed (e.g. Redis down): say so; the server keeps retrying.
      if (ack.delivered === false) {
        say(`${gettext("Done, but not everyone has been told yet; the server keeps trying:")} ${(ack.undelivered || []).join("; ")}`);
      } else say("");
      if (done) done(ack);
    });
  }
  const agenda = () => sync.get(S.agenda);
  function qaKey() {
    if (qaChoice) return qaChoice;
    const a = agenda();
    if (a && a.current_item) return `item:${a.current_item}`;
    return cfg.items.length ? `item:${cfg.items[0].id}` : null;
  }
  const qaStream = () => (qaKey() ? `qa:${qaKey()}` : null);
  const queueOf = (key) => { const [k, id] = key.split(":"); return [k, Number(id)]; };

  function refreshStreams() {
    const streams = [S.agenda, S.presence, `speaker:${spkChoice}`];
    if (qaStream()) streams.push(qaStream());
    sync.setWanted(streams);
  }

  // ---- agenda ------------------------------------------------------------------------------
  function renderAgenda() {
    const a = agenda();
    if (!a) return;
    const cur = a.current_item ? items.get(a.current_item) : null;
    $("now-title").textContent = a.mode === "breakouts" ? "Break-out rooms are open" : cur ? cur.title : a.mode === "idle" ? "Not started." : "Plenary";
    const list = a.agenda.map((id) => items.get(id)).filter(Boolean);
    $("agenda").replaceChildren(...list.map((it) => {
      const current = it.id === a.current_item && a.mode === "plenary";
      return el("li", { class: current ? "current" : "", "aria-current": current ? "step" : null },
        el("button", { type: "button", class: current ? "" : "secondary", disabled: current || a.mode === "breakouts",
          onclick: () => send("agenda:start_item", { item_id: it.id }) }, current ? "On now" : "Start"),
        " ", `${it.start_local} `, el("strong", { text: it.title }), el("span", { class: "kind", text: ` ${it.kind}` }));
    }));
    $("next-item").disabled = a.mode === "breakouts";
    $("bring-back").disabled = a.mode !== "breakouts";
  }
  function tick() {
    const a = agenda();
    const box = $("countdown");
    if (!a || a.mode !== "breakouts" || !a.breakouts_end_at) { box.textContent = ""; return; }
    const left = (new Date(a.breakouts_end_at).getTime() - sync.now()) / 1000;
    box.textContent = left > 0 ? `${a.closing ? "closing, " : ""}${L.clock(left)} left` : "time is up";
    const s = sync.get(`speaker:${spkChoice}`);
    if (s && s.current && s.current.timer && s.current.timer.started) renderSpeakers();
  }
  setInterval(tick, 1000);

  $("next-item").addEventListener("click", () => send("agenda:next_item", {}));
  $("bring-back").addEventListener("click", () => send("agenda:bring_back", {}));
  $("open-rooms").addEventListener("submit", (e) => {
    e.preventDefault();
    const round = Number($("round").value);
    if (!round) { say("Publish a break-out round first (Break-out rounds page)."); return; }
    send("agenda:open_breakouts", { round_id: round, minutes: Number($("minutes").value) }, () => say("Rooms are open."));
  });
  $("extend").addEventListener("submit", (e) => { e.preventDefault(); send("agenda:extend_breakouts", { minutes: Number($("extend-minutes").value) }); });
  $("close").addEventListener("submit", (e) => { e.preventDefault(); send("agenda:close_breakouts", { grace_seconds: Number($("grace").value) }); });
  $("announce").addEventListener("submit", (e) => {
    e.preventDefault();
    const target = document.querySelector('input[name="target"]:checked').value;
    send("agenda:announce", { text: $("announce-text").value, target }, () => { $("announce-text").value = ""; say("Announced."); });
  });

  // ---- Q&A ---------------------------------------------------------------------------------
  function renderQueuePicker() {
    const select = $("qa-queue");
    const a = agenda();
    const options = [el("option", { value: "", text: "The current item" })];
    for (const it of cfg.items) options.push(el("option", { value: `item:${it.id}`, text: `${it.start_local} ${it.title}` }));
    for (const r of rooms) options.push(el("option", { value: `room:${r.id}`, text: `Room: ${r.name}` }));
    const value = qaChoice || "";
    if (select.options.length !== options.length) { select.replaceChildren(...options); }
    select.value = value;
    if (a) select.options[0].textContent = `The current item${a.current_item ? `: ${(items.get(a.current_item) || {}).title}` : ""}`;
    const spk = $("spk-queue");
    const spkOptions = [el("option", { value: `plenary:${E}`, text: "Plenary" }), ...rooms.map((r) => el("option", { value: `room:${r.id}`, text: `Room: ${r.name}` }))];
    if (spk.options.length !== spkOptions.length) { spk.replaceChildren(...spkOptions); spk.value = spkChoice; }
  }
  $("qa-queue").addEventListener("change", (e) => { qaChoice = e.target.value || null; refreshStreams(); render(); });
  $("premod").addEventListener("change", (e) => {
    if (!qaKey()) return;
    send("qa:set_moderation", { queue: queueOf(qaKey()), moderation: e.target.checked ? "pre" : "open" });
  });

  function qaAction(event, q, extra) { send(event, { queue: queueOf(qaKey()), question_id: q.id, ...(extra || {}) }); }
  function questionRow(q, all) {
    const b = (label, event, cls, extra) => el("button", { type: "button", class: cls || "secondary",
      "aria-label": `${label}: ${q.text.slice(0, 60)}`, onclick: () => qaAction(event, q, extra) }, label);
    const actions = el("div", { class: "qa-actions" });
    if (q.status === "pending") actions.append(b("Approve", "qa:approve", "ok"), b("Dismiss", "qa:dismiss"));
    if (q.status === "live") {
      actions.append(q.pinned ? b("Unpin", "qa:unpin") : b("Pin", "qa:pin"), b("Answered", "qa:answer"), b("Dismiss", "qa:dismiss"));
    }
    if (q.status === "answered" || q.status === "dismissed") actions.append(b("Reopen", "qa:reopen"));
    if (q.status === "pending" || q.status === "live") {
      actions.append(el("button", { type: "button", class: "secondary", "aria-label": `Edit: ${q.text.slice(0, 60)}`,
        onclick: () => editQuestion(q, row) }, "Edit"));
      const targets = all.filter((t) => t.id !== q.id && (t.status === "live" || t.status === "answered"));
      if (targets.length) {
        const select = el("select", { "aria-label": `Merge “${q.text.slice(0, 40)}” into` },
          el("option", { value: "", text: "Merge into…" }),
          ...targets.map((t) => el("option", { value: t.id, text: `#${t.id} ${t.text.slice(0, 50)}` })));
        select.addEventListener("change", () => {
          if (select.value) send("qa:merge", { queue: queueOf(qaKey()), source_id: q.id, target_id: Number(select.value) });
        });
        actions.append(select);
      }
    }
    const who = q.author_name ? `${q.author_name}${q.anonymous ? " (anonymous to the audience)" : ""}` : "from the applications";
    const row = el("li", { class: `question ${q.status}${q.pinned ? " pinned" : ""}`, "data-id": q.id },
      el("span", { class: "vote badge live", "aria-label": `${q.votes} votes`, text: `▲ ${q.votes}` }),
      el("div", { class: "q-body" }, el("p", { class: "q-text", text: q.text }),
        el("p", { class: "meta" }, `#${q.id} · ${who}${q.edited ? " · edited" : ""}${q.pinned ? " · pinned" : ""}${q.merged_into ? ` · merged into #${q.merged_into}` : ""}`),
        actions));
    return row;
  }
  function editQuestion(q, row) {
    const area = el("textarea", { rows: 2, maxlength: 500, "aria-label": "Question text" });
    area.value = q.text;
    const form = el("form", { class: "form" }, area,
      el("p", {}, el("button", { type: "submit" }, "Save"), " ", el("button", { type: "button", class: "secondary", onclick: () => render() }, "Cancel")));
    form.addEventListener("submit", (e) => { e.preventDefault(); qaAction("qa:edit", q, { text: area.value }); });
    row.querySelector(".q-body").replaceChildren(form);
    area.focus();
  }
  function renderQA() {
    const stream = qaStream();
    const q = stream ? sync.get(stream) : null;
    const groups = { pending: [], live: [], answered: [], other: [] };
    if (q) for (const x of q.questions) (groups[x.status] || groups.other).push(x);
    $("premod").checked = !!(q && q.moderation === "pre");
    for (const name of ["pending", "live", "answered", "other"]) {
      $(`q-${name}`).replaceChildren(...groups[name].map((x) => questionRow(x, q.questions)));
      if ($(`n-${name}`)) $(`n-${name}`).textContent = String(groups[name].length);
    }
  }

  // ---- speakers ----------------------------------------------------------------------------
  const spkSend = (event, extra) => send(event, { queue: queueOf(spkChoice), ...(extra || {}) });
  $("spk-queue").addEventListener("change", (e) => { spkChoice = e.target.value; refreshStreams(); render(); });
  $("spk-next").addEventListener("click", () => spkSend("speaker:call_next"));
  $("spk-finish").addEventListener("click", () => spkSend("speaker:finish"));
  $("spk-start").addEventListener("click", () => spkSend("speaker:timer_start"));
  $("spk-pause").addEventListener("click", () => spkSend("speaker:timer_pause"));
  $("spk-resume").addEventListener("click", () => spkSend("speaker:timer_resume"));
  $("spk-close").addEventListener("click", () => {
    const s = sync.get(`speaker:${spkChoice}`);
    spkSend(s && s.closed ? "speaker:open_list" : "speaker:close_list");
  });
  $("spk-options").addEventListener("submit", (e) => {
    e.preventDefault();
    const limit = $("spk-limit").value.trim();
    spkSend("speaker:set_options", { first_timers_first: $("spk-first").checked, speaking_limit_seconds: limit ? Number(limit) : null });
  });
  function timerText(t) {
    if (!t || !t.started) return "";
    const elapsed = t.elapsed_before_seconds + (t.running && t.running_since ? Math.max(0, (sync.now() - new Date(t.running_since).getTime()) / 1000) : 0);
    const text = t.limit_seconds ? `${L.clock(t.limit_seconds - elapsed)} left` : `${L.clock(elapsed)}`;
    return t.running ? text : `${text} (paused)`;
  }
  function renderSpeakers() {
    const s = sync.get(`speaker:${spkChoice}`);
    if (!s) return;
    $("spk-current").textContent = s.current ? s.current.name : "nobody";
    $("spk-timer").textContent = s.current ? timerText(s.current.timer) : "";
    $("spk-close").textContent = s.closed ? "Open the list" : "Close the list";
    $("spk-first").checked = !!s.first_timers_first;
    if (document.activeElement !== $("spk-limit")) $("spk-limit").value = s.speaking_limit_seconds || "";
    $("spk-waiting").replaceChildren(...s.waiting.map((w) => el("li", {}, w.name, w.first_time ? " (first time)" : "", " ",
      el("button", { type: "button", class: "secondary", "aria-label": `Call ${w.name}`, onclick: () => spkSend("speaker:call", { person_id: w.person_id }) }, "Call"), " ",
      el("button", { type: "button", class: "secondary", "aria-label": `Lower ${w.name}'s hand`, onclick: () => spkSend("speaker:lower", { person_id: w.person_id }) }, "Lower"))));
  }

  // ---- rooms (break-out API) ---------------------------------------------------------------
  function currentRound() {
    const a = agenda();
    if (a && a.round_id) return a.round_id;
    const select = $("round");
    return select && select.value ? Number(select.value) : null;
  }
  let roomsLoading = false;
  function loadRooms() {
    const round = currentRound();
    if (!round || roomsLoading) return;
    roomsLoading = true;
    fetch(cfg.rooms_api.replace("{round}", round), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        if (!data) return;
        rooms = Array.isArray(data) ? data : data.rooms || [];
        roomsRound = round;
        $("rooms-round").textContent = data.title ? `· ${data.title}` : `· round ${round}`;
        renderQueuePicker();
        render();
      })
      .catch(() => {})
      .finally(() => { roomsLoading = false; });
  }
  $("round") && $("round").addEventListener("change", loadRooms);
  function move(applicationId, roomId) {
    fetch(cfg.moves_api.replace("{round}", roomsRound), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ application_id: applicationId, room_id: roomId }),
    }).then((r) => r.json().then((body) => ({ ok: r.ok, body })))
      .then(({ ok, body }) => {
        if (ok && Array.isArray(body.rooms)) { rooms = body.rooms; renderQueuePicker(); render(); }
        say(ok ? "Moved." : `Not moved: ${body.detail || body.title}`);
        if (!ok) loadRooms();
      })
      .catch(() => say("Not moved: the server did not answer."));
  }
  function renderRooms() {
    const p = sync.get(S.presence);
    $("rooms-none").hidden = rooms.length > 0;
    $("rooms-table").hidden = rooms.length === 0;
    $("rooms").replaceChildren(...rooms.map((r) => el("tr", {},
      el("th", { scope: "row" }, r.name, r.video_url ? el("br") : null,
        r.video_url ? el("a", { href: r.video_url, target: "_blank", rel: "noopener noreferrer", text: "video" }) : null),
      el("td", { text: `${(p && p.rooms && p.rooms[String(r.id)]) || 0} of ${(r.members || []).length}` }),
      el("td", {}, el("ul", { class: "plain" }, ...(r.members || []).map((m) => {
        const select = el("select", { "aria-label": `Room of ${m.name}` },
          ...rooms.map((o) => el("option", { value: o.id, selected: o.id === r.id, text: o.name })));
        select.addEventListener("change", () => move(m.application_id, Number(select.value)));
        return el("li", {}, `${m.name} · ${m.role_label || m.role} · ${m.country} `, select);
      }))))));
  }

  // ---- presence ----------------------------------------------------------------------------
  function renderPresence() {
    const p = sync.get(S.presence);
    if (!p) return;
    $("n-participants").textContent = String(p.participants);
    $("n-staff").textContent = String(p.staff);
    const roomName = (id) => (rooms.find((r) => r.id === id) || {}).name;
    $("people").replaceChildren(...(p.people || []).map((x) => el("li", {}, x.name, x.staff ? " (staff)" : "",
      x.room_id && roomName(x.room_id) ? ` · ${roomName(x.room_id)}` : "")));
  }

  function render() { renderQueuePicker(); renderAgenda(); renderQA(); renderSpeakers(); renderRooms(); renderPresence(); tick(); }
  refreshStreams();
  loadRooms();
  render();
})();
