"""Errors of the indicator core reach people in their language."""

from __future__ import annotations

import pytest
from django.utils import translation

from vigil.errors import InvalidInput
from vigil.indicators import services
from vigil.indicators.messages import KINDS, describe
from vigil.lib.errors import IndicatorError


def test_english_is_the_core_s_own_message() -> None:
    with translation.override("en"):
        for what in KINDS:
            error = IndicatorError(what, "bad checksum")
            assert describe(error) == str(error)
            assert describe(IndicatorError(what)) == f"not {what}"


def test_vietnamese_translates_the_kind_and_keeps_the_detail() -> None:
    with translation.override("vi"):
        assert describe(IndicatorError("a bank account", "no bank named")) == (
            "không phải một tài khoản ngân hàng: no bank named"
        )
        for what in KINDS:  # every kind has a translation
            assert what not in describe(IndicatorError(what)), what


def test_an_unknown_kind_falls_back_to_english() -> None:
    with translation.override("vi"):
        assert describe(IndicatorError("a lottery ticket", "x")) == "not a lottery ticket: x"


def test_every_kind_the_core_raises_is_known() -> None:
    """A new kind in vigil/lib without a translation here would reach people in English."""
    import pathlib
    import re

    root = pathlib.Path(services.__file__).resolve().parents[1] / "lib"
    source = "\n".join(path.read_text(encoding="utf-8") for path in root.rglob("*.py"))
    named = set(re.findall(r'^_[A-Z]+ = "([^"]+)"', source, re.MULTILINE))
    named |= set(re.findall(r'IndicatorError\(\s*"([^"]+)"', source))
    named |= set(re.findall(r'restated\("([^"]+)"\)', source))
    named |= set(re.findall(r'IndicatorType\.\w+: "([^"]+)"', source))
    named |= set(re.findall(r'^\s+what = "([^"]+)"', source, re.MULTILINE))
    kinds = {name for name in named if name.startswith(("a ", "an "))}
    assert kinds and kinds <= set(KINDS), kinds - set(KINDS)


def test_a_wrong_value_on_a_vietnamese_form_is_explained_in_vietnamese() -> None:
    with translation.override("vi"), pytest.raises(InvalidInput) as excinfo:
        services.parse("bank_account", "ngân hàng ma 12")
    assert excinfo.value.message.startswith("không phải một tài khoản ngân hàng")
