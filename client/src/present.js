// The projector view: follows the plenary over a read-only socket (the secret link's key) and
// shows, in large type, what is on, who speaks and for how long, the break-out countdown, the
// top live questions (pinned first) and the announcements — only what the audience sees.
(function () {
  "use strict";
  const L = window.ConveneLive;
  const C = window.ConveneClocks;
  const { el } = L;
  const root = document.getElementById("present");
  const cfg = JSON.parse(document.getElementById("live-config").textContent);
  const $ = (id) => document.getElementById(id);
  const items = new Map(cfg.items.map((i) => [i.id, i]));
  const E = cfg.event_id;
  const S = { agenda: `agenda:${E}`, plenary: `speaker:plenary:${E}` };
  const TOP_QUESTIONS = 5;
  const ANNOUNCEMENTS_SHOWN = 2;
  const ANNOUNCEMENT_SHOWN_MS = 30 * 60 * 1000; // an announcement leaves the screen after half an hour
  const dayTime = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
  const eventTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: cfg.timezone });

  const socket = window.io({ auth: { projector: cfg.key }, reconnectionDelay: 500, reconnectionDelayMax: 3000 });
  L.watchConnection(socket, $("conn"), root);
  const sync = new L.LiveSync({
    socket, view: "audience",
    broadcasts: ["agenda:state", "qa:changed", "speaker:state"],
    onChange: (stream) => { if (stream === S.agenda) refreshStreams(); render(); },
  });

  const agenda = () => sync.get(S.agenda);
  function qaStream() {
    const a = agenda();
    return a && a.current_item && a.mode !== "breakouts" ? `qa:item:${a.current_item}` : null;
  }
  // The next item's queue is followed ahead too, so its questions show the moment it starts.
  function nextQaStream() {
    const a = agenda();
    if (!a || !a.agenda.length) return null;
    const index = a.current_item ? a.agenda.indexOf(a.current_item) + 1 : 0;
    return index < a.agenda.length ? `qa:item:${a.agenda[index]}` : null;
  }
  function refreshStreams() {
    const streams = [S.agenda, S.plenary];
    for (const stream of [qaStream(), nextQaStream()]) if (stream && !streams.includes(stream)) streams.push(stream);
    sync.setWanted(streams);
  }

  function firstStart() {
    const starts = cfg.items.map((i) => i.start_utc).filter(Boolean).sort();
    return starts.length ? new Date(starts[0]) : null;
  }

  function renderNow(a) {
    const item = a && a.current_item ? items.get(a.current_item) : null;
    const breakouts = !!(a && a.mode === "breakouts");
    root.dataset.mode = a ? a.mode : "idle";
    $("now-kind").textContent = breakouts ? gettext("Break-out rooms") : item ? item.kind_label : "";
    $("now-title").textContent = breakouts ? gettext("Break-out rooms are open") : item ? item.title : gettext("Not started yet.");
    $("now-time").textContent = item && !breakouts ? `${item.start_local}–${item.end_local} ${cfg.timezone}` : "";
    const index = a ? a.agenda.indexOf(a.current_item) : -1;
    const next = a && a.mode === "idle" ? null : index >= 0 ? items.get(a.agenda[index + 1]) : null;
    $("next").textContent = next ? C.fill(gettext("Next: %(title)s"), { title: next.title }) : "";
  }

  function tick() {
    const a = agenda();
    const box = $("breakout-countdown");
    if (a && a.mode === "breakouts" && a.breakouts_end_at) {
      const left = (new Date(a.breakouts_end_at).getTime() - sync.now()) / 1000;
      box.hidden = false;
      box.textContent = left > 0 ? C.clock(left) : gettext("Time is up");
      box.classList.toggle("warn", left <= 60);
    } else box.hidden = true;
    const start = firstStart();
    const before = !!(a && a.mode === "idle" && start && start.getTime() > sync.now());
    $("before").hidden = !before;
    if (before) {
      $("before-time").textContent = eventTime.format(start);
      $("before-countdown").textContent = C.fill(gettext("in %(time)s · %(local)s your time"), { time: C.clock((start.getTime() - sync.now()) / 1000), local: dayTime.format(start) });
    }
    const s = sync.get(S.plenary);
    const view = C.speakerTimer(s && s.current ? s.current.timer : null, sync.now());
    $("speaker-timer").textContent = view.text;
    $("speaker-timer").className = `present-timer ${view.state}`;
  }
  setInterval(tick, 250);

  function renderSpeaker() {
    const s = sync.get(S.plenary);
    const a = agenda();
    const show = !!(s && s.current && (!a || a.mode !== "breakouts"));
    $("speaker").hidden = !show;
    if (!show) return;
    $("speaker-name").textContent = s.current.name;
    const waiting = s.waiting.length;
    $("speaker-next").textContent = waiting ? C.fill(window.ngettext("%(n)s hand raised", "%(n)s hands raised", waiting), { n: waiting }) : "";
  }

  function renderQuestions() {
    const stream = qaStream();
    const q = stream ? sync.get(stream) : null;
    const live = q ? q.questions.filter((x) => x.status === "live")
      .sort((x, y) => ((y.pinned ? 1 : 0) - (x.pinned ? 1 : 0)) || (y.votes - x.votes) || (x.id - y.id)).slice(0, TOP_QUESTIONS) : [];
    $("questions-box").hidden = live.length === 0;
    $("questions").replaceChildren(...live.map((x) => el("li", { class: x.pinned ? "pinned" : "", "data-id": x.id },
      el("span", { class: "votes", "aria-label": C.fill(window.ngettext("%(n)s vote", "%(n)s votes", x.votes), { n: x.votes }), text: `▲ ${x.votes}` }),
      el("span", { class: "text" }, x.text, el("span", { class: "who", text: x.author_name || gettext("Anonymous") })))));
  }

  function renderAnnouncements() {
    const a = agenda();
    const recent = (x) => sync.now() - new Date(x.at).getTime() < ANNOUNCEMENT_SHOWN_MS;
    const list = a ? a.announcements.filter((x) => x.target === "everyone" && recent(x)).slice(-ANNOUNCEMENTS_SHOWN).reverse() : [];
    $("announcements-box").hidden = list.length === 0;
    $("announcements").replaceChildren(...list.map((x) => el("li", { "data-id": x.id }, x.text)));
  }

  function render() { renderNow(agenda()); renderSpeaker(); renderQuestions(); renderAnnouncements(); tick(); }
  setInterval(renderAnnouncements, 30000);
  refreshStreams();
  render();
})();
