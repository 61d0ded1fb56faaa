"""Staff facilitators in the pure engine's terms: placement and the recounted measures."""

from __future__ import annotations

from server.sessions.breakouts import place_staff, with_staff


def test_staff_fill_only_rooms_without_a_participant_facilitator_in_order() -> None:
    assert place_staff([True, False, False, True], ["a", "b", "c"]) == [None, "a", "b", None]
    assert place_staff([False, False, False], ["a"]) == ["a", None, None]
    assert place_staff([True, True], ["a"]) == [None, None]
    assert place_staff([], ["a"]) == []


def test_rooms_led_by_staff_count_as_led() -> None:
    metrics = {"rooms_without_facilitator": 2, "facilitator_shortfall": 0, "hard_violations": 1, "repeat_pairs": 3}
    got = with_staff(metrics, [True, False, False], [False, True, False], 1)
    assert got == {"rooms_without_facilitator": 1, "facilitator_shortfall": 0, "hard_violations": 1,
                   "repeat_pairs": 3}
    # Two participant facilitators in one room and a room with none: one could have been led.
    got = with_staff({"rooms_without_facilitator": 2, "facilitator_shortfall": 1, "hard_violations": 1},
                     [True, False, False], [False, True, False], 2)
    assert got["rooms_without_facilitator"] == 1 and got["facilitator_shortfall"] == 1
    assert with_staff({}, [], [], 0) == {}
