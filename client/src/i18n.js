// Translations for the pages' scripts. Every user-visible string in client/src goes through
// gettext()/ngettext(); the server embeds the page language's entries from its gettext catalogs as
// <script type="application/json" id="i18n-catalog"> (absent: English, the msgids themselves):
//   {"": {"language": "ru", "plural_forms": "nplurals=3; plural=(...)", "categories": ["one", "few", "many"]},
//    "Hello": "Здравствуйте", "%(num)d seat": ["%(num)d место", "%(num)d места", "%(num)d мест"]}
// A plural entry lists the catalog's forms in order; "categories" names the CLDR plural category
// of each form, so Intl.PluralRules (no eval, so a strict Content-Security-Policy is fine) picks it.
(function () {
  "use strict";
  var catalog = {};
  var el = document.getElementById("i18n-catalog");
  if (el) {
    try { catalog = JSON.parse(el.textContent) || {}; } catch (e) { catalog = {}; }
  }
  var meta = catalog[""] || {};
  var language = meta.language || document.documentElement.lang || "en";
  var categories = meta.categories || ["one", "other"];
  var rules = null;
  try { rules = new Intl.PluralRules(language); } catch (e) { rules = null; }

  // The index of the catalog's plural form for n; a category the catalog has no form of
  // (Russian "other", for fractions) takes the last form, as gettext's rule does.
  function formIndex(n) {
    if (!rules) { return n === 1 ? 0 : 1; }
    var i = categories.indexOf(rules.select(n));
    return i < 0 ? categories.length - 1 : i;
  }

  window.gettext = function (msgid) {
    var t = catalog[msgid];
    return typeof t === "string" && t ? t : msgid;
  };
  window.ngettext = function (singular, plural, n) {
    var forms = catalog[singular];
    if (Array.isArray(forms) && forms.length) {
      var t = forms[Math.min(formIndex(n), forms.length - 1)];
      if (t) { return t; }
    }
    return n === 1 ? singular : plural;
  };
})();
