// Shows every agenda time also in the viewer's own zone, marks what is on now, and pre-chooses
// the viewer's zone in a time-zone picker. Times are 24-hour, as the server writes them, so a
// page never shows "01:30 PM" beside "09:30"; names follow the page's language (<html lang>).
(function () {
  "use strict";
  const lang = document.documentElement.lang || "en";
  const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const hm = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: viewerZone });
  const full = new Intl.DateTimeFormat(lang, {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: viewerZone, timeZoneName: "short",
  });
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (whole, key) => (key in values ? values[key] : whole));
  }
  document.querySelectorAll(".viewer-zone-name").forEach((el) => { el.textContent = viewerZone; });
  document.querySelectorAll(".viewer-time[data-for-utc]").forEach((el) => {
    const start = new Date(el.dataset.forUtc);
    if (el.dataset.format === "datetime") {
      el.textContent = " " + fill(gettext("— %(when)s where you are (%(zone)s)"), { when: full.format(start), zone: viewerZone });
    } else if (el.dataset.until) {
      el.textContent = `${hm.format(start)}–${hm.format(new Date(el.dataset.until))}`;
    } else {
      el.textContent = hm.format(start);
    }
  });
  // A picker left on "my country's zone" takes the browser's zone where we know it.
  document.querySelectorAll("select[data-browser-zone]").forEach((select) => {
    if (!select.value && Array.from(select.options).some((o) => o.value === viewerZone)) {
      select.value = viewerZone;
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
