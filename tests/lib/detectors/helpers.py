"""Building detector facts from the golden sample files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vigil.lib.detectors import FormFacts, PageFacts, gambling, phishing, scams

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "detectors"
KINDS = ("clean", "one", "many")
# The detector functions by their stable names (sms_spam has tests of its own).
DETECTORS = {
    "phishing": phishing.detect_phishing,
    "gambling": gambling.detect_gambling,
    "fake_recruitment": scams.detect_fake_recruitment,
    "fake_investment": scams.detect_fake_investment,
    "fake_loan": scams.detect_fake_loan,
    "fake_government_notice": scams.detect_fake_government_notice,
    "apk_lure": scams.detect_apk_lure,
}


def facts(data: dict[str, Any]) -> PageFacts:
    """PageFacts from a sample's ``facts`` object (lists become tuples)."""
    fields = dict(data)
    fields["forms"] = tuple(
        FormFacts(**{key: tuple(value) if isinstance(value, list) else value for key, value in form.items()})
        for form in fields.get("forms", [])
    )
    for key in ("links", "downloads"):
        fields[key] = tuple(fields.get(key, []))
    return PageFacts(**fields)


def cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(detector, kind, case) for every sample of every detector."""
    found = []
    for name in DETECTORS:
        for kind in KINDS:
            for case in json.loads((SAMPLES / name / f"{kind}.json").read_text(encoding="utf-8")):
                found.append((name, kind, case))
    return found
