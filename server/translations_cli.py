"""`convene translations extract|update|compile|check|init`: the gettext catalogs, through pybabel.

    extract   read the code (babel.cfg) into server/translations/messages.pot
    update    extract, then merge the template into every language's messages.po
    compile   write the .mo files the app reads (build output; scripts/setup runs this)
    check     fail if a catalog is out of date with the code, or has untranslated or fuzzy entries
    init XX   start a new language's catalog (then add XX to server.i18n.LANGUAGES)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import click
from babel.messages.pofile import read_po

from server.i18n import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "server" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# N_ marks vocabularies in the pure core; gettext/ngettext/_ and lazy_gettext (imported as _l) everywhere else.
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "lazy_ngettext:1,2", "N_")


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract(output: Path = TEMPLATE) -> Path:
    """Write every msgid in the code to `output` (a .pot)."""
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    _pybabel("extract", "-F", "babel.cfg", "--no-location", "--sort-output", "--omit-header",
             *keywords, "-o", str(output), ".")
    return output


def catalog_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def problems(language: str, template: Path) -> list[str]:
    """What is wrong with one language's catalog: msgids missing, untranslated or fuzzy."""
    with template.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with catalog_path(language).open("rb") as f:
        catalog = read_po(f)
    have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    found = [f"missing: {mid!r}" for mid in sorted(wanted - have.keys())]
    if language == DEFAULT_LANGUAGE:
        return found  # English msgids are their own translation
    for mid, message in sorted(have.items()):
        if mid not in wanted:
            continue
        if message.fuzzy:
            found.append(f"fuzzy: {mid!r}")
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            found.append(f"untranslated: {mid!r}")
    return found


@click.group("translations")
def translations_command() -> None:
    """Gettext catalogs: extract, update, compile, check, init."""


@translations_command.command("extract")
def extract_command() -> None:
    """Write server/translations/messages.pot from the code."""
    click.echo(extract())


@translations_command.command("update")
def update_command() -> None:
    """Extract, then merge new and changed msgids into every language's catalog."""
    extract()
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "--no-wrap", "--ignore-obsolete")
    click.echo("Now translate the new entries (msgstr \"\") and the fuzzy ones in "
               + ", ".join(str(catalog_path(code).relative_to(ROOT)) for code in LANGUAGES if code != "en"))


@translations_command.command("compile")
def compile_command() -> None:
    """Compile every catalog to .mo (build output, not committed)."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@translations_command.command("check")
def check_command() -> None:
    """Fail if a catalog lacks a msgid the code uses, or has untranslated or fuzzy entries."""
    with tempfile.TemporaryDirectory() as tmp:
        template = extract(Path(tmp) / "messages.pot")
        found = {code: problems(code, template) for code in LANGUAGES}
    for code, items in found.items():
        for item in items:
            click.echo(f"{code}: {item}", err=True)
    if any(found.values()):
        raise SystemExit(1)
    click.echo("catalogs up to date: " + ", ".join(LANGUAGES))


@translations_command.command("init")
@click.argument("language")
def init_command(language: str) -> None:
    """Start the catalog of a new LANGUAGE (an ISO 639-1 code such as kk, uz, ky, de)."""
    extract()
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", language, "--no-wrap")
    click.echo(f"Add {language!r} to LANGUAGES in server/i18n.py, translate {catalog_path(language)}, "
               "then run `convene translations compile`.")
