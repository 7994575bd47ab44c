"""Detectors: pure functions from :class:`PageFacts` to a :class:`DetectorResult` (or None).

Importing this package registers every detector (each module registers its own at
import), so ``run_all(facts)`` runs them all. Modules are imported explicitly, never by
scanning the folder, so a broken detector fails loudly at start.

>>> sorted(registry.names())[:3]
['apk_lure', 'fake_government_notice', 'fake_investment']
"""

from __future__ import annotations

from vigil.lib.detectors import gambling, phishing, scams, textclassifier
from vigil.lib.detectors.base import DetectorResult, FormFacts, PageFacts, registry

__all__ = [
    "DetectorResult",
    "FormFacts",
    "PageFacts",
    "gambling",
    "phishing",
    "registry",
    "run_all",
    "scams",
    "textclassifier",
]

run_all = registry.run_all
