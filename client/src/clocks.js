// Clocks shared by the console and the projector: the speaker's timer (time spoken, or time
// left with a limit, warning 30 s before it) and countdowns to a moment.
(function () {
  "use strict";
  const WARN_SECONDS = 30;
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k]));

  function clock(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
  }

  // {text, state: "" | "warn" | "over"} of a speaker timer as the server sent it, at `now` (ms).
  function speakerTimer(timer, now) {
    if (!timer || !timer.started) return { text: "", state: "" };
    const running = timer.running && timer.running_since;
    const elapsed = timer.elapsed_before_seconds + (running ? Math.max(0, (now - new Date(timer.running_since).getTime()) / 1000) : 0);
    // Spoken time counts whole seconds up; time left counts down and reaches 0:00 at the limit.
    let text = clock(Math.floor(elapsed));
    let state = "";
    if (timer.limit_seconds) {
      const left = timer.limit_seconds - elapsed;
      text = left >= 0 ? fill(gettext("%(time)s left"), { time: clock(Math.ceil(left)) })
        : fill(gettext("over by %(time)s"), { time: clock(Math.floor(-left)) });
      state = left < 0 ? "over" : left <= WARN_SECONDS ? "warn" : "";
    }
    return { text: timer.running ? text : fill(gettext("%(time)s (paused)"), { time: text }), state };
  }

  window.ConveneClocks = { clock, speakerTimer, fill, WARN_SECONDS };
})();
