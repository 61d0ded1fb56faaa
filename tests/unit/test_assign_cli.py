"""`convene assign`: CSV in, id,room out, metrics to stderr, bad rows refused with exit code 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.breakouts.cli import assign_command

HEADER = "id,name,role,country,organisation,languages,facilitator\n"
ROLES = [
    "exit_worker",
    "Prison officer",
    "PROBATION_OFFICER",
    "mental-health professional",
    "legal_expert",
    "Police officer",
    "family_worker",
    "social_worker",
]
COUNTRIES = ["DE", "fr", "NL", "KZ", "UZ", "KG", "IT", "BE"]


def people_csv(n: int = 40) -> str:
    lines = [HEADER]
    for i in range(n):
        country = COUNTRIES[i % 8]
        langs = "en;ru" if country.upper() in {"KZ", "UZ", "KG"} else "en"
        fac = "yes" if i % 8 == 0 else "no"
        lines.append(f"p{i},Person {i},{ROLES[i % 8]},{country},org{i % 7},{langs},{fac}\n")
    return "".join(lines)


def run(tmp_path: Path, args: list[str], people: str | None = None):
    if people is not None:
        (tmp_path / "people.csv").write_text(people, encoding="utf-8")
    runner = CliRunner()
    return runner.invoke(assign_command, args, catch_exceptions=False)


def parse(stdout: str) -> dict[str, int]:
    rows = list(csv.DictReader(io.StringIO(stdout)))
    return {row["id"]: int(row["room"]) for row in rows}


def test_assigns_and_writes_csv_and_metrics(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    result = run(tmp_path, [str(people), "--rooms", "5", "--seed", "3"], people_csv())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "id,room"
    rooms = parse(result.stdout)
    assert sorted(rooms) == sorted(f"p{i}" for i in range(40))
    assert set(rooms.values()) == {1, 2, 3, 4, 5}
    report = json.loads(result.stderr)
    assert report["metrics"]["spread_violations"] == {"role": 0, "region": 0}
    assert report["metrics"]["hard_violations"] == 0
    assert len(report["explanations"]) == 5
    # Same seed, same output.
    again = run(tmp_path, [str(people), "--rooms", "5", "--seed", "3"])
    assert again.stdout == result.stdout


def test_previous_rounds_reduce_repeat_pairs(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    day1 = run(tmp_path, [str(people), "--rooms", "8", "--seed", "1"], people_csv())
    (tmp_path / "day1.csv").write_text(day1.stdout, encoding="utf-8")
    day2 = run(tmp_path, [str(people), "--rooms", "8", "--previous", str(tmp_path / "day1.csv")])
    assert day2.exit_code == 0, day2.stderr
    assert json.loads(day2.stderr)["metrics"]["repeat_pairs"] == 0
    (tmp_path / "day2.csv").write_text(day2.stdout, encoding="utf-8")
    day3 = run(
        tmp_path,
        [
            str(people),
            "--rooms",
            "8",
            "--previous",
            str(tmp_path / "day1.csv"),
            "--previous",
            str(tmp_path / "day2.csv"),
        ],
    )
    assert day3.exit_code == 0, day3.stderr
    assert json.loads(day3.stderr)["metrics"]["repeat_pairs"] == 0


def test_size_and_role_mode(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    result = run(tmp_path, [str(people), "--size", "7", "--mode", "role"], people_csv())
    assert result.exit_code == 0, result.stderr
    assert max(parse(result.stdout).values()) == 6  # ceil(40 / 7)
    assert json.loads(result.stderr)["mode"] == "role"
    capped = run(tmp_path, [str(people), "--rooms", "4", "--size", "9"])
    assert capped.exit_code == 2
    assert "do not fit" in capped.stderr and capped.stdout == ""


def test_rooms_or_size_is_required(tmp_path: Path) -> None:
    result = run(tmp_path, [str(tmp_path / "people.csv")], people_csv())
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--rooms" in result.stderr


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("x1,X,astronaut,DE,o,en,no\n", "unknown role 'astronaut'"),
        ("x1,X,police_officer,QQ,o,en,no\n", "unknown country 'QQ'"),
        ("x1,X,police_officer,DE,o,en,maybe\n", "facilitator must be yes or no"),
        ("x1,X,police_officer,DE,o,en\n", "expected 7 cells"),
        ("p0,X,police_officer,DE,o,en,no\n", "duplicate id 'p0' (first on line 2)"),
        ("x1,X,police_officer,DE,o,xx-klingon,no\n", "unknown language"),
        (",X,police_officer,DE,o,en,no\n", "empty id"),
    ],
)
def test_bad_rows_are_refused_with_file_line_and_reason(tmp_path: Path, row: str, reason: str) -> None:
    people = tmp_path / "people.csv"
    result = run(tmp_path, [str(people), "--rooms", "3"], people_csv(10) + row)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{people}:12:" in result.stderr
    assert reason in result.stderr


def test_missing_column_is_refused(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    text = people_csv(5).replace(",facilitator", "", 1)
    result = run(tmp_path, [str(people), "--rooms", "2"], text)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{people}:1: missing column(s): facilitator" in result.stderr


def test_every_bad_row_is_listed(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    text = people_csv(3) + "a,A,nobody,DE,o,en,no\nb,B,other,ZZ,o,en,no\n"
    result = run(tmp_path, [str(people), "--rooms", "2"], text)
    assert result.exit_code == 2
    assert f"{people}:5: unknown role" in result.stderr
    assert f"{people}:6: unknown country" in result.stderr


def test_unknown_id_in_previous_round_is_refused(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    prev = tmp_path / "prev.csv"
    prev.write_text("id,room\np0,1\nghost,2\np0,3\n", encoding="utf-8")
    result = run(tmp_path, [str(people), "--rooms", "2", "--previous", str(prev)], people_csv(6))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{prev}:3: unknown id 'ghost'" in result.stderr
    assert f"{prev}:4: duplicate id 'p0'" in result.stderr
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("who,where\np0,1\n", encoding="utf-8")
    result = run(tmp_path, [str(people), "--rooms", "2", "--previous", str(bad_header)])
    assert result.exit_code == 2
    assert f"{bad_header}:1: missing column(s): id, room" in result.stderr


def test_missing_file_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path, [str(tmp_path / "nope.csv"), "--rooms", "2"])
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr and "cannot read" in result.stderr
