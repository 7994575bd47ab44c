"""Golden samples per detector: tests/samples/detectors/<name>/{clean,one,many}.json.

Each sample holds the facts a capture (or a pasted SMS) would give, and the exact label
and score expected, with the phrases the explanation must contain and the snippets the
evidence must show. ``clean`` samples are harmless pages and messages that must trip
*no* detector at all: they are the false-positive checks.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.lib.detectors.helpers import DETECTORS, KINDS, SAMPLES, cases, facts
from vigil.lib.detectors import registry, run_all

CASES = cases()


@pytest.mark.parametrize(("name", "kind", "case"), CASES, ids=[f"{n}/{k}/{c['name']}" for n, k, c in CASES])
def test_golden_sample(name: str, kind: str, case: dict[str, Any]) -> None:
    result = DETECTORS[name](facts(case["facts"]))
    expect = case["expect"]
    if kind == "clean":
        assert expect is None, "a clean sample expects no result"
    else:
        assert expect is not None, "a one/many sample expects a result"
    if expect is None:
        assert result is None, f"unexpected {result}"
        return
    assert result is not None, "no result"
    assert result.detector == name
    assert (result.label, result.score) == (expect["label"], expect["score"]), result.explanation
    assert 0.0 <= result.score <= 1.0
    for phrase in expect["explanation_has"]:
        assert phrase in result.explanation, f"{phrase!r} not in {result.explanation!r}"
    for snippet in expect["evidence_has"]:
        assert any(snippet in item for item in result.evidence), f"{snippet!r} not in {result.evidence}"


@pytest.mark.parametrize(
    "case",
    [c for _n, k, c in CASES if k == "clean"],
    ids=[f"{n}/{c['name']}" for n, k, c in CASES if k == "clean"],
)
def test_clean_samples_trip_no_detector(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIL_TEXT_MODEL", raising=False)
    assert run_all(facts(case["facts"])) == []


def test_every_detector_has_golden_samples() -> None:
    assert set(registry.names()) == {*DETECTORS, "sms_spam"}
    for name in DETECTORS:
        for kind in KINDS:
            assert (SAMPLES / name / f"{kind}.json").is_file(), f"{name}/{kind}.json"
    by_kind = {(n, k) for n, k, _c in CASES}
    assert all((name, kind) in by_kind for name in DETECTORS for kind in KINDS), "a sample file is empty"


def test_positive_samples_cover_pages_and_messages() -> None:
    positives = [c for _n, k, c in CASES if k != "clean"]
    assert any(c["facts"].get("url") for c in positives)
    assert any(not c["facts"].get("url") for c in positives), "no SMS-style sample"
    assert sum(1 for _n, k, c in CASES if k == "clean") >= 20
