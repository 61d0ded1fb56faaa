"""Which key questions open a Q&A item: scopes, sharing choices, grouping (pure)."""

from __future__ import annotations

import pytest

from server.sessions.keyquestions import ALL, Applicant, Scope, entries, parse_scope
from server.sessions.protocol import LiveError

PEOPLE = [
    Applicant(1, "Named Kazakh", "KZ", "central_asia", "with_name", ("Q1?", "  ", "Q2?")),
    Applicant(2, "Shy Dutch", "NL", "eu", "anonymous", ("Q3?",)),
    Applicant(3, "Private Uzbek", "UZ", "central_asia", "no", ("Never?",)),
    Applicant(4, "Shy Uzbek", "UZ", "central_asia", "anonymous", ("Q4?",)),
    Applicant(5, "", "KG", "central_asia", "with_name", ("Q5?",)),
]


def test_everyone_who_shared_grouped_by_region_then_country_named_only_by_choice() -> None:
    assert entries(PEOPLE, ALL) == [
        ("Q5?", None), ("Q1?", "Named Kazakh"), ("Q2?", "Named Kazakh"), ("Q4?", None), ("Q3?", None)]


def test_a_country_or_a_region_narrows_the_questions() -> None:
    assert entries(PEOPLE, parse_scope("country:kz")) == [("Q1?", "Named Kazakh"), ("Q2?", "Named Kazakh")]
    assert [q for q, _ in entries(PEOPLE, parse_scope("region:eu"))] == ["Q3?"]
    assert entries(PEOPLE, parse_scope("country:DE")) == []


def test_long_questions_are_cut_to_the_queue_limit() -> None:
    long = Applicant(9, "X", "BE", "eu", "with_name", ("a" * 600,))
    assert entries([long], ALL) == [("a" * 500, "X")]


@pytest.mark.parametrize(("text", "scope"), [("", ALL), ("all", ALL), (" country:uz ", Scope("country", "UZ")),
                                             ("region:central_asia", Scope("region", "central_asia"))])
def test_scopes_read_back(text: str, scope: Scope) -> None:
    assert parse_scope(text) == scope
    assert parse_scope(str(scope)) == scope


@pytest.mark.parametrize(("text", "reason"), [
    ("country:ZZ", "'ZZ' is not a country code (two letters, e.g. KZ)"),
    ("region:asia", "unknown region 'asia'; one of eu, other_europe, central_asia, other"),
    ("everyone", "must be all, country:<code> or region:<region>"),
])
def test_bad_scopes_are_refused_naming_the_field(text: str, reason: str) -> None:
    with pytest.raises(LiveError) as refused:
        parse_scope(text)
    assert (refused.value.field, refused.value.reason) == ("scope", reason)
