"""Detector findings on a case: shown with their explanations, and offered to the appraiser.

Findings never decide. At most they pre-fill the appraisal form (a suggested category
and a draft of the reasoning listing what the detectors saw) for an appraiser who must
still check the captured page, choose a verdict and submit it themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from vigil.cases.models import Case
from vigil.collection.choices import CaptureState
from vigil.collection.models import DetectorFinding
from vigil.core.models import Category

# Detector labels -> the category they suggest (codes of the seeded taxonomy).
LABEL_CATEGORIES = {
    "phishing": "phishing",
    "impersonation": "impersonation",
    "brand_impersonation": "impersonation",
    "lookalike_domain": "impersonation",
    "gambling": "gambling",
    "malware": "malware",
    "apk_lure": "malware",
    "fake_recruitment": "fraud",
    "fake_investment": "fraud",
    "fake_loan": "fraud",
    "fake_government": "impersonation",
    "scam": "fraud",
    "fraud": "fraud",
    "spam": "spam-sms",
}
NOT_A_FINDING = frozenset({"clean", "ham", "benign", "none"})


def case_findings(case: Case) -> list[DetectorFinding]:
    """Findings of the case's successful captures, strongest first (clean results left out)."""
    return list(
        DetectorFinding.objects.filter(capture__case=case, capture__state=CaptureState.SUCCEEDED)
        .exclude(label__in=NOT_A_FINDING)
        .select_related("capture")
        .order_by("-score", "detector", "-capture_id")
    )


def strong_findings(case: Case) -> list[DetectorFinding]:
    """Findings at or above ``VIGIL_DETECTOR_PREFILL_SCORE``, one per detector and label."""
    threshold = float(settings.VIGIL_DETECTOR_PREFILL_SCORE)
    seen: set[tuple[str, str]] = set()
    strong = []
    for finding in case_findings(case):
        key = (finding.detector, finding.label)
        if finding.score >= threshold and key not in seen:
            seen.add(key)
            strong.append(finding)
    return strong


def appraisal_prefill(case: object) -> dict[str, object]:
    """Initial values for the appraisal form from high-confidence findings (never a verdict)."""
    if not isinstance(case, Case) or case.pk is None:
        return {}
    strong = strong_findings(case)
    if not strong:
        return {}
    lines = [_("Automatic detector findings — check each against the captured page before relying on it:")]
    for finding in strong:
        lines.append(
            f"- {finding.detector}: {finding.label} ({finding.score:.2f}), "
            + _("capture #%(id)d") % {"id": finding.capture_id}
            + f": {finding.explanation}"
        )
    lines.append("")
    lines.append(_("My own assessment:"))
    initial: dict[str, object] = {"reasoning": "\n".join(lines) + "\n"}
    codes = [LABEL_CATEGORIES[f.label] for f in strong if f.label in LABEL_CATEGORIES]
    if codes:
        category = Category.objects.filter(code=codes[0], is_active=True).first()
        if category is not None:
            initial["category"] = category.pk
    return initial
