from datetime import UTC, datetime

from server.sessions.agenda import Slot, check_slot, overlapping_pairs


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2021, 5, 25, hour, minute, tzinfo=UTC)


DAY = (at(7, 30), at(10, 30))


def fields(problems: list) -> list[tuple[str, str]]:
    return [(p.field, p.reason) for p in problems]


def test_a_slot_inside_an_empty_day_is_fine() -> None:
    assert check_slot(Slot(at(7, 30), at(8)), *DAY, []) == []


def test_end_must_be_after_start() -> None:
    assert fields(check_slot(Slot(at(8), at(8)), *DAY, [])) == [("end", "must be after the start")]


def test_slot_must_lie_inside_its_day() -> None:
    assert ("start", "is before the day begins") in fields(check_slot(Slot(at(7), at(8)), *DAY, []))
    assert ("end", "is after the day ends") in fields(check_slot(Slot(at(10), at(11)), *DAY, []))


def test_overlap_names_the_other_item() -> None:
    other = Slot(at(8), at(9), item_id=1, title="Q&A")
    assert fields(check_slot(Slot(at(8, 30), at(9, 30)), *DAY, [other])) == [
        ("start", "overlaps the item 'Q&A'")
    ]


def test_touching_items_do_not_overlap() -> None:
    other = Slot(at(8), at(9), item_id=1)
    assert check_slot(Slot(at(9), at(9, 30)), *DAY, [other]) == []


def test_an_item_does_not_overlap_itself_when_moved() -> None:
    current = Slot(at(8), at(9), item_id=1)
    assert check_slot(Slot(at(8, 15), at(9, 15), item_id=1), *DAY, [current]) == []


def test_overlapping_pairs() -> None:
    a, b, c = Slot(at(8), at(9)), Slot(at(8, 30), at(9, 30)), Slot(at(10), at(10, 30))
    assert overlapping_pairs([c, b, a]) == [(a, b)]
