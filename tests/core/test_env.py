"""Settings from the environment: a wrong value stops the start with a message naming it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from vigil.env import env_float


def test_a_number_setting_reads_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIL_SCORE", raising=False)
    assert env_float("SCORE", 0.8, minimum=0, maximum=1) == 0.8
    monkeypatch.setenv("VIGIL_SCORE", "0.65")
    assert env_float("SCORE", 0.8, minimum=0, maximum=1) == 0.65


@pytest.mark.parametrize(("raw", "message"), [("high", "expected a number"), ("1.5", "between 0 and 1")])
def test_a_wrong_number_setting_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv("VIGIL_SCORE", raw)
    with pytest.raises(ImproperlyConfigured, match=f"VIGIL_SCORE: .*{message}"):
        env_float("SCORE", 0.8, minimum=0, maximum=1)
