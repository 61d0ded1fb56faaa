"""`convene assign`: break-out rooms from a CSV of people, without the web app.

    convene assign PEOPLE.csv --rooms N [--size S] [--mode mixed|role]
                   [--previous ROUND.csv ...] [--seed K]

PEOPLE.csv has the header ``id,name,role,country,organisation,languages,facilitator`` (country
ISO 3166-1 alpha-2, languages separated by ``;``, facilitator ``yes``/``no``, role a vocabulary
value or its label). Each ``--previous`` file is an ``id,room`` CSV of an earlier round, such as
this command's own output. The rooms go to standard output as ``id,room`` (rooms numbered from 1),
the metrics and one explanation per room as JSON to standard error. Bad input is refused with
file, line and reason on standard error, exit code 2, and nothing on standard output.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from server.core.vocab import ROLE_LABELS, Role, normalise_country, normalise_language
from server.sessions.breakouts import AssignmentError, Mode, Person, Round, assign

PEOPLE_COLUMNS = ("id", "name", "role", "country", "organisation", "languages", "facilitator")
ROUND_COLUMNS = ("id", "room")
_ROLES_BY_NAME: dict[str, Role] = {
    **{str(role).casefold(): role for role in Role},
    **{label.casefold(): role for role, label in ROLE_LABELS.items()},
}
_FLAGS = {"yes": True, "no": False}


class InputProblems(Exception):
    """Every problem found in the input files, each ``file:line: reason``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _rows(path: Path, columns: tuple[str, ...], problems: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers; header and shape problems are added to ``problems``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.append(f"{path}:1: empty file, expected the header {','.join(columns)}")
        return []
    header = [h.strip().lower() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(f"{path}:1: missing column(s): {', '.join(missing)}")
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are harmless
        if len(cells) != len(header):
            problems.append(f"{path}:{start}: expected {len(header)} cells ({','.join(header)}), found {len(cells)}")
            continue
        rows.append((start, {h: cell.strip() for h, cell in zip(header, cells, strict=True)}))
    return rows


def read_people(path: Path) -> list[Person]:
    """Parse PEOPLE.csv; raise InputProblems listing every bad row."""
    problems: list[str] = []
    people: list[Person] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, PEOPLE_COLUMNS, problems):
        where = f"{path}:{line}"
        pid = row["id"]
        if not pid:
            problems.append(f"{where}: empty id")
            continue
        if pid in seen:
            problems.append(f"{where}: duplicate id {pid!r} (first on line {seen[pid]})")
            continue
        seen[pid] = line
        role = _ROLES_BY_NAME.get(row["role"].casefold())
        if role is None:
            problems.append(f"{where}: unknown role {row['role']!r}")
        try:
            country = normalise_country(row["country"])
        except ValueError:
            problems.append(f"{where}: unknown country {row['country']!r} (ISO 3166 alpha-2)")
            country = ""
        languages: list[str] = []
        for raw in row["languages"].split(";"):
            if raw.strip():
                try:
                    languages.append(normalise_language(raw))
                except ValueError:
                    problems.append(f"{where}: unknown language {raw.strip()!r}")
        flag = _FLAGS.get(row["facilitator"].casefold())
        if flag is None:
            problems.append(f"{where}: facilitator must be yes or no, not {row['facilitator']!r}")
        if role is None or not country or flag is None:
            continue
        people.append(
            Person.from_country(
                pid,
                role,
                country,
                organisation=row["organisation"],
                languages=tuple(dict.fromkeys(languages)),
                facilitator=flag,
            )
        )
    if problems:
        raise InputProblems(problems)
    if not people:
        raise InputProblems([f"{path}: no people"])
    return people


def read_round(path: Path, known: set[str]) -> Round:
    """Parse an ``id,room`` CSV of an earlier round; raise InputProblems listing every bad row."""
    problems: list[str] = []
    room_of: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in _rows(path, ROUND_COLUMNS, problems):
        where = f"{path}:{line}"
        pid, room = row["id"], row["room"]
        if pid not in known:
            problems.append(f"{where}: unknown id {pid!r} (not in the people file)")
        elif pid in room_of:
            problems.append(f"{where}: duplicate id {pid!r} (first on line {lines[pid]})")
        elif not room:
            problems.append(f"{where}: empty room for {pid!r}")
        else:
            room_of[pid] = room
            lines[pid] = line
    if problems:
        raise InputProblems(problems)
    return Round.from_mapping(room_of)


@click.command("assign")
@click.argument("people_csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rooms", type=click.IntRange(min=1), help="Number of rooms.")
@click.option(
    "--size",
    type=click.IntRange(min=1),
    help="Target room size (alone); with --rooms, the most each room holds.",
)
@click.option(
    "--mode",
    type=click.Choice([m.value for m in Mode]),
    default=Mode.MIXED.value,
    show_default=True,
    help="mixed: spread roles and regions; role: rooms themed by role group.",
)
@click.option(
    "--previous",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="id,room CSV of an earlier round (repeatable): avoid repeat pairs.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same rooms.")
@click.option(
    "--separate-organisations/--mix-organisations",
    default=True,
    show_default=True,
    help="Keep people from the same organisation in different rooms where possible.",
)
def assign_command(
    people_csv: Path,
    rooms: int | None,
    size: int | None,
    mode: str,
    previous: tuple[Path, ...],
    seed: int,
    separate_organisations: bool,
) -> None:
    """Assign the people in PEOPLE_CSV to break-out rooms; print id,room to standard output."""
    if rooms is None and size is None:
        raise click.UsageError("give --rooms N or --size S")
    try:
        people = read_people(people_csv)
        known = {p.id for p in people}
        problems: list[str] = []
        rounds: list[Round] = []
        for path in previous:
            try:
                rounds.append(read_round(path, known))
            except InputProblems as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputProblems(problems)
        result = assign(
            people,
            rooms,
            size=size,
            mode=mode,
            previous=rounds,
            separate_organisations=separate_organisations,
            seed=seed,
        )
    except InputProblems as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(2) from None
    except AssignmentError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None

    room_of = result.room_of()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROUND_COLUMNS)
    for person in people:
        writer.writerow((person.id, room_of[person.id] + 1))
    click.echo(out.getvalue(), nl=False)
    report = {
        "mode": str(result.mode),
        "seed": result.seed,
        "rooms": len(result.rooms),
        "people": len(people),
        "metrics": result.metrics.as_dict(),
        "explanations": list(result.explanations),
    }
    click.echo(json.dumps(report, indent=2, ensure_ascii=False), err=True)
