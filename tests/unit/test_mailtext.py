"""Mail texts with named placeholders: only known plain names, filled by hand."""

from __future__ import annotations

from server.core.mailtext import check_text, fill, placeholders

ALLOWED = ("name", "personal_link")


def test_known_names_are_filled_and_braces_can_be_written() -> None:
    text = "Dear {name}, your link: {personal_link} {{not a placeholder}}"
    assert check_text(text, ALLOWED) == []
    assert placeholders(text) == ["name", "personal_link"]
    assert fill(text, {"name": "Aigerim", "personal_link": "https://x/p/1"}) == (
        "Dear Aigerim, your link: https://x/p/1 {not a placeholder}")


def test_unknown_names_are_refused_by_name() -> None:
    [problem] = check_text("Dear {nmae}", ALLOWED)
    assert problem.placeholder == "nmae" and "not a known placeholder" in problem.reason


def test_no_attribute_index_conversion_or_format() -> None:
    reasons = [p.reason for t in ("{name.__class__}", "{name[0]}", "{name!r}", "{name:>10}")
               for p in check_text(t, ALLOWED)]
    assert len(reasons) == 4
    assert reasons[0].startswith("only plain names") and reasons[1].startswith("only plain names")
    assert "no format" in reasons[2] and "no format" in reasons[3]


def test_unbalanced_braces_are_refused_not_raised() -> None:
    for text in ("Dear {", "Dear }", "Dear {name"):
        [problem] = check_text(text, ALLOWED)
        assert problem.placeholder == "" and "brace" in problem.reason
