"""Settings an operator got wrong are said as sentences naming the setting."""

from __future__ import annotations

import pytest

from server.settings import SettingsError, load_settings


@pytest.mark.parametrize(("name", "value", "said"), [
    ("INBOX_IDLE_SECONDS", "-1", "The setting INBOX_IDLE_SECONDS must be at least 0; it is '-1'."),
    ("INBOX_IDLE_SECONDS", "2.5", "The setting INBOX_IDLE_SECONDS must be a whole number; it is '2.5'."),
    ("RATELIMIT_ENABLED", "perhaps", "The setting RATELIMIT_ENABLED must be true or false; it is 'perhaps'."),
    ("LIVE_SECONDS_PER_SOCKET", "1", "The setting LIVE_SECONDS_PER_SOCKET must be at most 0.01; it is '1'."),
])
def test_a_bad_value_names_the_setting_the_rule_and_the_value(monkeypatch: pytest.MonkeyPatch, name: str,
                                                              value: str, said: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(said)
    assert "pydantic" not in str(raised.value) and "input_value" not in str(raised.value)


def test_good_values_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBOX_IDLE_SECONDS", "14")
    assert load_settings().INBOX_IDLE_SECONDS == 14
