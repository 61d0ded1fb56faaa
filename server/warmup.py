"""Load what requests would otherwise load lazily, before a process takes its first request.

Measured (bench/apply.py, 30 concurrent applicants against a fresh `convene serve`): the first
application loaded GeoNames' city table for the country's likeliest zone (0.4 s), pycountry's
databases and the templates; under gevent that work blocks every other request, so the first
thirty applicants waited 2.6 s. Doing it once at start-up keeps the first minute like the rest.
"""

from __future__ import annotations

from flask import Flask

from server.core.vocab import normalise_country, normalise_language
from server.core.zones import country_zone, zone_names
from server.i18n import LANGUAGES, compiled_catalog


def warm_up(app: Flask) -> None:
    """Fill the per-process caches a request would fill: zones, countries, catalogs, templates."""
    zone_names()
    country_zone("KZ")
    normalise_country("KZ")
    normalise_language("ru")
    for language in LANGUAGES:
        compiled_catalog(language)
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
        app.jinja_env.get_template(name)
