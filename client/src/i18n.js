// Translations for the pages' scripts. Every user-visible string in client/src goes through
// gettext()/ngettext(); the catalog for the page's language is embedded by the server as
// <script type="application/json" id="i18n-catalog"> (absent: English, the msgids themselves).
(function () {
  "use strict";
  var catalog = {};
  var el = document.getElementById("i18n-catalog");
  if (el) {
    try { catalog = JSON.parse(el.textContent) || {}; } catch (e) { catalog = {}; }
  }
  window.gettext = function (msgid) {
    var t = catalog[msgid];
    return typeof t === "string" && t ? t : msgid;
  };
  // Plural rules per language arrive with the catalogs; until then English's two forms.
  window.ngettext = function (singular, plural, n) {
    return n === 1 ? window.gettext(singular) : window.gettext(plural);
  };
})();
