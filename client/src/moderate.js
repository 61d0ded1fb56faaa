// The moderator console: drive the agenda and the break-outs, moderate the Q&A, run the
// speakers' lists, see who is here and move people between rooms — on one laptop screen, with
// keyboard shortcuts (listed on the page) for the moves of a morning.
(function () {
  "use strict";
  const L = window.ConveneLive;
  const { el } = L;
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k]));
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
  let selected = null; // id of the question the keyboard acts on
  const seeded = new Map(Object.entries(cfg.seeded || {}).map(([k, v]) => [Number(k), v]));

  const socket = window.io({ auth: { event: cfg.slug }, reconnectionDelay: 500, reconnectionDelayMax: 3000 });
  L.watchConnection(socket, $("conn"), root);
  const sync = new L.LiveSync({
    socket, view: "moderator",
    broadcasts: ["agenda:state", "qa:changed", "speaker:state", "notes:state", "presence:state"],
    onChange: (stream, state, payload) => {
      if (stream === S.agenda) { refreshStreams(); loadRooms(); }
      if (payload && payload.action === "seed" && stream.startsWith("qa:item:")) {
        seeded.set(Number(stream.split(":")[2]), payload.questions.length);
      }
      render();
    },
  });

  // Messages clear themselves: confirmations after 4 s, refusals after 10 s.
  let sayTimer = null;
  function say(text, error) {
    $("msg").textContent = text;
    $("msg").classList.toggle("error", !!error);
    clearTimeout(sayTimer);
    if (text) sayTimer = setTimeout(() => { $("msg").textContent = ""; }, error ? 10000 : 4000);
  }
  function send(event, payload, done) {
    socket.timeout(8000).emit(event, payload, (err, ack) => {
      if (err) { say(gettext("Not sent: the connection is down. Try again when it is back."), true); return; }
      if (!ack.ok) { say(fill(gettext("Refused (%(field)s): %(reason)s"), ack.error), true); return; }
      // Committed, but a later step failed (e.g. Redis down): say so; the server keeps retrying.
      if (ack.delivered === false) {
        say(gettext("Done, but not everyone has been told yet; the server keeps trying:") + " " + (ack.undelivered || []).join("; "), true);
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

  // ---- agenda: grouped by day, kinds in words, the running item highlighted -----------------
  const itemTime = (it) => `${it.start_local}–${it.end_local}`;
  function renderNow(a) {
    const cur = a.current_item ? items.get(a.current_item) : null;
    $("now-title").textContent = a.mode === "breakouts" ? gettext("Break-out rooms are open") : cur ? cur.title : a.mode === "idle" ? gettext("Not started.") : gettext("Plenary");
    $("now-kind").textContent = cur && a.mode !== "breakouts" ? cur.kind_label : "";
    $("now-time").textContent = cur ? `${itemTime(cur)} ${cfg.timezone}` : "";
    const index = a.agenda.indexOf(a.current_item);
    const next = a.mode === "idle" ? items.get(a.agenda[0]) : index >= 0 ? items.get(a.agenda[index + 1]) : null;
    $("next-title").textContent = next ? fill(gettext("Next: %(title)s (%(kind)s, %(time)s)"), { title: next.title, kind: next.kind_label, time: itemTime(next) }) : gettext("Next: nothing, this is the last item.");
    $("next-item").disabled = a.mode === "breakouts";
    $("bring-back").disabled = a.mode !== "breakouts";
  }
  function agendaRow(a, it) {
    const current = it.id === a.current_item && a.mode !== "idle";
    const done = seeded.has(it.id) ? " · " + fill(gettext("%(n)s key questions added"), { n: seeded.get(it.id) }) : "";
    return el("li", { class: `agenda-row${current ? " current" : ""}`, "aria-current": current ? "step" : null, "data-item": it.id },
      el("button", { type: "button", class: current ? "" : "secondary", disabled: current || a.mode === "breakouts",
        onclick: () => send("agenda:start_item", { item_id: it.id }) }, current ? gettext("On now") : gettext("Start")),
      el("span", { class: "agenda-time", text: itemTime(it) }),
      el("span", { class: "agenda-title" }, el("strong", { text: it.title }), el("span", { class: "kind", text: `${it.kind_label}${done}` })));
  }
  function renderAgenda() {
    const a = agenda();
    if (!a) return;
    renderNow(a);
    const byDay = new Map(cfg.days.map((d) => [d.date, []]));
    for (const id of a.agenda) {
      const it = items.get(id);
      if (!it) continue;
      if (!byDay.has(it.day)) byDay.set(it.day, []);
      byDay.get(it.day).push(it);
    }
    const titles = new Map(cfg.days.map((d) => [d.date, d.title]));
    $("agenda").replaceChildren(...[...byDay.entries()].filter(([, list]) => list.length).map(([day, list]) =>
      el("div", { class: "agenda-day" }, el("h3", { text: titles.get(day) || day }),
        el("ol", { class: ["plain", "agenda-list"].join(" ") }, ...list.map((it) => agendaRow(a, it))))));
    const cur = $("agenda").querySelector("li.current");
    if (cur && cur.dataset.item !== root.dataset.shownItem) {
      root.dataset.shownItem = cur.dataset.item;
      cur.scrollIntoView({ block: "nearest" });
    }
  }
  function tick() {
    const a = agenda();
    const box = $("countdown");
    if (!a || a.mode !== "breakouts" || !a.breakouts_end_at) box.textContent = "";
    else {
      const left = (new Date(a.breakouts_end_at).getTime() - sync.now()) / 1000;
      box.textContent = left > 0 ? fill(a.closing ? gettext("closing, %(time)s left") : gettext("%(time)s left"), { time: L.clock(left) }) : gettext("time is up");
    }
    renderTimer(); // the speaker's clock counts in every mode
  }
  setInterval(tick, 1000);
  setInterval(renderTimer, 250); // a second on the speaker's clock shows when it passes

  const nextItem = () => send("agenda:next_item", {});
  const bringBack = () => send("agenda:bring_back", {});
  function openRooms() {
    const round = Number($("round").value);
    if (!round) { say(gettext("Publish a break-out round first (Break-out rounds page)."), true); return; }
    send("agenda:open_breakouts", { round_id: round, minutes: Number($("minutes").value) }, () => say(gettext("Rooms are open.")));
  }
  $("next-item").addEventListener("click", nextItem);
  $("bring-back").addEventListener("click", bringBack);
  $("open-rooms").addEventListener("submit", (e) => { e.preventDefault(); openRooms(); });
  $("extend").addEventListener("submit", (e) => { e.preventDefault(); send("agenda:extend_breakouts", { minutes: Number($("extend-minutes").value) }); });
  $("close").addEventListener("submit", (e) => { e.preventDefault(); send("agenda:close_breakouts", { grace_seconds: Number($("grace").value) }); });
  $("announce").addEventListener("submit", (e) => {
    e.preventDefault();
    const target = document.querySelector('input[name="target"]:checked').value;
    send("agenda:announce", { text: $("announce-text").value, target }, () => {
      $("announce-text").value = "";
      $("announce-text").blur(); // back to the shortcuts
      say(gettext("Announced."));
    });
  });

  // ---- Q&A: pending first, then live, answered; a selection for the keyboard ---------------
  function renderQueuePicker() {
    const select = $("qa-queue");
    const a = agenda();
    const options = [el("option", { value: "", text: gettext("The current item") })];
    for (const it of cfg.items) options.push(el("option", { value: `item:${it.id}`, text: `${it.start_local} ${it.title}` }));
    for (const r of rooms) options.push(el("option", { value: `room:${r.id}`, text: fill(gettext("Room: %(name)s"), r) }));
    if (select.options.length !== options.length) { select.replaceChildren(...options); }
    select.value = qaChoice || "";
    if (a && a.current_item) select.options[0].textContent = fill(gettext("The current item: %(title)s"), { title: (items.get(a.current_item) || {}).title });
    const spk = $("spk-queue");
    const spkOptions = [el("option", { value: `plenary:${E}`, text: gettext("Plenary") }), ...rooms.map((r) => el("option", { value: `room:${r.id}`, text: fill(gettext("Room: %(name)s"), r) }))];
    if (spk.options.length !== spkOptions.length) { spk.replaceChildren(...spkOptions); spk.value = spkChoice; }
  }
  $("qa-queue").addEventListener("change", (e) => { qaChoice = e.target.value || null; selected = null; refreshStreams(); render(); });
  $("premod").addEventListener("change", (e) => {
    if (!qaKey()) return;
    send("qa:set_moderation", { queue: queueOf(qaKey()), moderation: e.target.checked ? "pre" : "open" });
  });
  $("seed").addEventListener("click", () => {
    const key = qaKey();
    if (!key || !key.startsWith("item:")) { say(gettext("Choose an agenda item's queue first."), true); return; }
    send("qa:seed", { item_id: queueOf(key)[1] }, (ack) => say(fill(gettext("%(n)s key questions added."), { n: ack.seeded })));
  });

  function qaAction(event, q, extra) { send(event, { queue: queueOf(qaKey()), question_id: q.id, ...(extra || {}) }); }
  function questionRow(q, all) {
    const short = q.text.slice(0, 60);
    const b = (label, event, cls, extra) => el("button", { type: "button", class: cls || "secondary",
      "aria-label": `${label}: ${short}`, onclick: () => qaAction(event, q, extra) }, label);
    const actions = el("div", { class: "qa-actions" });
    if (q.status === "pending") actions.append(b(gettext("Approve"), "qa:approve", "ok"), b(gettext("Dismiss"), "qa:dismiss"));
    if (q.status === "live") {
      actions.append(q.pinned ? b(gettext("Unpin"), "qa:unpin") : b(gettext("Pin"), "qa:pin"), b(gettext("Answered"), "qa:answer"), b(gettext("Dismiss"), "qa:dismiss"));
    }
    if (q.status === "answered" || q.status === "dismissed") actions.append(b(gettext("Reopen"), "qa:reopen"));
    if (q.status === "pending" || q.status === "live") {
      actions.append(el("button", { type: "button", class: "secondary", "aria-label": gettext("Edit") + ": " + short,
        onclick: () => editQuestion(q, row) }, gettext("Edit")));
      const targets = all.filter((x) => x.id !== q.id && (x.status === "live" || x.status === "answered"));
      if (targets.length) {
        const select = el("select", { "aria-label": fill(gettext("Merge “%(text)s” into"), { text: q.text.slice(0, 40) }) },
          el("option", { value: "", text: gettext("Merge into…") }),
          ...targets.map((x) => el("option", { value: x.id, text: `#${x.id} ${x.text.slice(0, 50)}` })));
        select.addEventListener("change", () => {
          if (select.value) send("qa:merge", { queue: queueOf(qaKey()), source_id: q.id, target_id: Number(select.value) });
        });
        actions.append(select);
      }
    }
    const who = q.author_name ? q.author_name + (q.anonymous ? " " + gettext("(anonymous to the audience)") : "")
      : q.author_id === null ? gettext("key question from the applications") : gettext("anonymous");
    const flags = [q.edited ? gettext("edited") : "", q.pinned ? gettext("pinned") : "", q.merged_into ? fill(gettext("merged into #%(id)s"), { id: q.merged_into }) : ""].filter(Boolean);
    const isSelected = q.id === selected;
    const row = el("li", { class: `question ${q.status}${q.pinned ? " pinned" : ""}${isSelected ? " selected" : ""}`, "data-id": q.id,
      "aria-selected": isSelected ? "true" : null },
      el("span", { class: ["vote", "badge", "live"].join(" "), "aria-label": fill(gettext("%(n)s votes"), { n: q.votes }), text: `▲ ${q.votes}` }),
      el("div", { class: "q-body" }, el("p", { class: "q-text", text: q.text }),
        el("p", { class: "meta" }, [`#${q.id}`, who, ...flags].join(" · ")),
        actions));
    return row;
  }
  function editQuestion(q, row) {
    const area = el("textarea", { rows: 2, maxlength: 500, "aria-label": gettext("Question text") });
    area.value = q.text;
    const form = el("form", { class: "form" }, area,
      el("p", {}, el("button", { type: "submit" }, gettext("Save")), " ", el("button", { type: "button", class: "secondary", onclick: () => render() }, gettext("Cancel"))));
    form.addEventListener("submit", (e) => { e.preventDefault(); qaAction("qa:edit", q, { text: area.value }); });
    row.querySelector(".q-body").replaceChildren(form);
    area.focus();
  }
  function groups() {
    const stream = qaStream();
    const q = stream ? sync.get(stream) : null;
    const found = { pending: [], live: [], answered: [], other: [], all: q ? q.questions : [] };
    if (q) for (const x of q.questions) (found[x.status] || found.other).push(x);
    return found;
  }
  // The questions the keyboard walks through: pending first, then live.
  const actionable = () => { const g = groups(); return [...g.pending, ...g.live]; };
  function keepSelection() {
    const list = actionable();
    if (!list.some((x) => x.id === selected)) selected = list.length ? list[0].id : null;
  }
  function renderQA() {
    const g = groups();
    const stream = qaStream();
    const q = stream ? sync.get(stream) : null;
    keepSelection();
    $("premod").checked = !!(q && q.moderation === "pre");
    const key = qaKey();
    const itemId = key && key.startsWith("item:") ? queueOf(key)[1] : null;
    $("qa-where").textContent = itemId && items.get(itemId) ? `· ${items.get(itemId).title}` : "";
    $("seed").hidden = !itemId;
    $("seed-state").textContent = itemId && seeded.has(itemId) ? fill(gettext("%(n)s key questions added"), { n: seeded.get(itemId) }) : "";
    for (const name of ["pending", "live", "answered", "other"]) {
      $(`q-${name}`).replaceChildren(...g[name].map((x) => questionRow(x, g.all)));
      if ($(`n-${name}`)) $(`n-${name}`).textContent = String(g[name].length);
    }
  }
  function moveSelection(step) {
    const list = actionable();
    if (!list.length) return;
    const at = list.findIndex((x) => x.id === selected);
    selected = list[Math.min(list.length - 1, Math.max(0, (at < 0 ? 0 : at) + step))].id;
    renderQA();
    const row = document.querySelector(`#q-pending li[data-id="${selected}"], #q-live li[data-id="${selected}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }
  function pick(status) {
    const g = groups();
    return g[status].find((x) => x.id === selected) || g[status][0] || null;
  }
  function keyAct(status, event) {
    const q = pick(status);
    if (!q) { say(status === "pending" ? gettext("No question waits for approval.") : gettext("No live question."), true); return; }
    qaAction(event(q), q);
  }

  // ---- speakers: the clock counts in every mode, warns 30 s before the limit ---------------
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
  function toggleTimer() {
    const s = sync.get(`speaker:${spkChoice}`);
    if (!s || !s.current) { say(gettext("Nobody has the floor."), true); return; }
    const timer = s.current.timer;
    spkSend(!timer.started ? "speaker:timer_start" : timer.running ? "speaker:timer_pause" : "speaker:timer_resume");
  }
  function renderTimer() {
    const s = sync.get(`speaker:${spkChoice}`);
    const view = window.ConveneClocks.speakerTimer(s && s.current ? s.current.timer : null, sync.now());
    $("spk-timer").textContent = view.text;
    $("spk-timer").className = `timer ${view.state}`;
  }
  function renderSpeakers() {
    const s = sync.get(`speaker:${spkChoice}`);
    if (!s) return;
    $("spk-current").textContent = s.current ? s.current.name : gettext("nobody");
    renderTimer();
    $("spk-close").textContent = s.closed ? gettext("Open the list") : gettext("Close the list");
    $("spk-first").checked = !!s.first_timers_first;
    if (document.activeElement !== $("spk-limit")) $("spk-limit").value = s.speaking_limit_seconds || "";
    $("spk-waiting").replaceChildren(...s.waiting.map((w) => el("li", {}, w.name, w.first_time ? " " + gettext("(first time)") : "", " ",
      el("button", { type: "button", class: "secondary", "aria-label": fill(gettext("Call %(name)s"), w), onclick: () => spkSend("speaker:call", { person_id: w.person_id }) }, gettext("Call")), " ",
      el("button", { type: "button", class: "secondary", "aria-label": fill(gettext("Lower %(name)s's hand"), w), onclick: () => spkSend("speaker:lower", { person_id: w.person_id }) }, gettext("Lower")))));
  }

  // ---- keyboard: single keys, never while typing in a field --------------------------------
  const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);
  const KEYS = {
    n: nextItem,
    b: bringBack,
    o: openRooms,
    j: () => moveSelection(1),
    k: () => moveSelection(-1),
    a: () => keyAct("pending", () => "qa:approve"),
    p: () => keyAct("live", (q) => (q.pinned ? "qa:unpin" : "qa:pin")),
    d: () => keyAct("live", () => "qa:answer"),
    c: () => spkSend("speaker:call_next"),
    t: toggleTimer,
    m: () => { $("premod").checked = !$("premod").checked; $("premod").dispatchEvent(new Event("change")); },
    "/": () => $("announce-text").focus(),
  };
  document.addEventListener("keydown", (e) => {
    const target = e.target;
    if (e.key === "Escape" && target && TYPING.has(target.tagName)) { target.blur(); return; }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && target === $("announce-text")) {
      e.preventDefault();
      $("announce").requestSubmit();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (target && (TYPING.has(target.tagName) || target.isContentEditable)) return;
    const action = KEYS[e.key.toLowerCase()];
    if (!action) return;
    e.preventDefault();
    action();
  });

  // ---- projector link ----------------------------------------------------------------------
  $("projector-reset").addEventListener("click", () => {
    fetch(cfg.projector_reset_url, { method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf } })
      .then((r) => r.json().then((body) => ({ ok: r.ok, body })))
      .then(({ ok, body }) => {
        if (!ok) { say(fill(gettext("Not changed: %(reason)s"), { reason: body.detail || body.title }), true); return; }
        $("projector-link").href = body.url;
        $("projector-link").textContent = body.url;
        say(gettext("New projector link: the old one no longer works."));
      })
      .catch(() => say(gettext("Not changed: the server did not answer."), true));
  });

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
        $("rooms-round").textContent = data.title ? `· ${data.title}` : "· " + fill(gettext("round %(id)s"), { id: round });
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
        if (ok) say(gettext("Moved.")); else say(fill(gettext("Not moved: %(reason)s"), { reason: body.detail || body.title }), true);
        if (!ok) loadRooms();
      })
      .catch(() => say(gettext("Not moved: the server did not answer."), true));
  }
  function renderRooms() {
    const p = sync.get(S.presence);
    $("rooms-none").hidden = rooms.length > 0;
    $("rooms-table").hidden = rooms.length === 0;
    $("rooms").replaceChildren(...rooms.map((r) => el("tr", {},
      el("th", { scope: "row" }, r.name,
        r.staff_facilitator ? el("span", { class: "meta", text: " · " + fill(gettext("facilitated by %(name)s"), r.staff_facilitator) }) : null,
        r.video_url ? el("br") : null,
        r.video_url ? el("a", { href: r.video_url, target: "_blank", rel: ["noopener", "noreferrer"].join(" "), text: gettext("video") }) : null),
      el("td", { text: fill(gettext("%(online)s of %(total)s"), { online: (p && p.rooms && p.rooms[String(r.id)]) || 0, total: (r.members || []).length }) }),
      el("td", {}, el("ul", { class: "plain" }, ...(r.members || []).map((m) => {
        const select = el("select", { "aria-label": fill(gettext("Room of %(name)s"), m) },
          ...rooms.map((o) => el("option", { value: o.id, selected: o.id === r.id, text: o.name })));
        select.addEventListener("change", () => move(m.application_id, Number(select.value)));
        return el("li", {}, `${m.name} · ${m.role_label || m.role} · ${m.country} `, select);
      }))))));
  }

  // ---- presence ----------------------------------------------------------------------------
  function renderPresence() {
    const p = sync.get(S.presence);
    if (!p) return;
    // No gettext() inside a template literal: Babel's extractor misses it (then no translation).
    $("presence-counts").textContent = fill(window.ngettext("%(n)s participant", "%(n)s participants", p.participants), { n: p.participants }) +
      ", " + fill(window.ngettext("%(n)s staff", "%(n)s staff", p.staff), { n: p.staff });
    const roomName = (id) => (rooms.find((r) => r.id === id) || {}).name;
    $("people").replaceChildren(...(p.people || []).map((x) => el("li", {}, x.name, x.staff ? " " + gettext("(staff)") : "",
      x.room_id && roomName(x.room_id) ? ` · ${roomName(x.room_id)}` : "")));
  }

  function render() { renderQueuePicker(); renderAgenda(); renderQA(); renderSpeakers(); renderRooms(); renderPresence(); tick(); }
  refreshStreams();
  loadRooms();
  render();
})();
