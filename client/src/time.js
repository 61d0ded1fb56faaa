// Shows every agenda time also in the viewer's own zone, and marks what is on now.
(function () {
  "use strict";
  const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const hm = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: viewerZone });
  const full = new Intl.DateTimeFormat(undefined, {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: viewerZone, timeZoneName: "short",
  });
  document.querySelectorAll(".viewer-zone-name").forEach((el) => { el.textContent = viewerZone; });
  document.querySelectorAll(".viewer-time[data-for-utc]").forEach((el) => {
    const start = new Date(el.dataset.forUtc);
    if (el.dataset.format === "datetime") {
      el.textContent = ` — ${full.format(start)} where you are (${viewerZone})`;
    } else if (el.dataset.until) {
      el.textContent = `${hm.format(start)}–${hm.format(new Date(el.dataset.until))}`;
    } else {
      el.textContent = hm.format(start);
    }
  });
  function markNow() {
    const now = Date.now();
    document.querySelectorAll("tr[data-start][data-end]").forEach((row) => {
      const on = new Date(row.dataset.start).getTime() <= now && now < new Date(row.dataset.end).getTime();
      row.classList.toggle("now", on);
      if (on) { row.setAttribute("aria-current", "time"); } else { row.removeAttribute("aria-current"); }
    });
  }
  markNow();
  setInterval(markNow, 30000);
})();
