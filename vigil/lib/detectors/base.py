"""The detector contract: frozen facts in, frozen results out (pure Python, no Django).

A capture (``vigil.collection``) builds :class:`PageFacts` from what it fetched; each
registered detector looks at them and returns a :class:`DetectorResult` with a score, a
label and an explanation a person can check. Detectors never decide anything: their
results are shown on the case and may pre-fill an appraisal.

>>> facts = PageFacts(url="http://x.example/", final_url="http://x.example/", title="Hello")
>>> facts.host
'x.example'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["DetectorResult", "FormFacts", "PageFacts", "registry"]


@dataclass(frozen=True, slots=True)
class FormFacts:
    """One HTML form: where it posts and what it asks for."""

    action: str = ""
    method: str = "get"
    input_names: tuple[str, ...] = ()
    input_types: tuple[str, ...] = ()  # "password", "tel", "text", … in the same order
    labels: tuple[str, ...] = ()  # visible label / placeholder texts


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What a detector may look at; every field is optional so SMS text alone works too."""

    url: str = ""
    final_url: str = ""
    title: str = ""
    text: str = ""  # visible text, whitespace-collapsed
    html: str = ""
    forms: tuple[FormFacts, ...] = ()
    links: tuple[str, ...] = ()  # absolute hrefs
    downloads: tuple[str, ...] = ()  # links to .apk/.exe/.ipa … files
    language: str = ""  # "vi", "en" or ""

    @property
    def host(self) -> str:
        """The host of the final URL (or the first one)."""
        return (urlsplit(self.final_url or self.url).hostname or "").lower()


@dataclass(frozen=True, slots=True)
class DetectorResult:
    """One detector's finding: ``score`` in [0, 1], a ``label`` and why."""

    detector: str  # the detector's stable name
    label: str  # e.g. "phishing", "gambling", "fake_recruitment", "clean"
    score: float
    explanation: str  # one or two sentences a person can check against the page
    evidence: tuple[str, ...] = field(default=())  # the snippets, names or links that triggered it


DetectorFn = Callable[[PageFacts], DetectorResult | None]


class DetectorRegistry:
    """Detectors by stable lower-snake name; a duplicate name is refused at start-up."""

    def __init__(self) -> None:
        self._detectors: dict[str, DetectorFn] = {}

    def register(self, name: str) -> Callable[[DetectorFn], DetectorFn]:
        """Decorator: add a detector function under ``name``."""

        def add(function: DetectorFn) -> DetectorFn:
            if name in self._detectors:
                raise ValueError(f"detector {name!r} is registered twice")
            self._detectors[name] = function
            return function

        return add

    def names(self) -> tuple[str, ...]:
        """Registered names, sorted."""
        return tuple(sorted(self._detectors))

    def run_all(self, facts: PageFacts) -> list[DetectorResult]:
        """Every detector's result (None results dropped), highest score first."""
        results = [result for fn in self._detectors.values() if (result := fn(facts)) is not None]
        return sorted(results, key=lambda result: (-result.score, result.detector))


registry = DetectorRegistry()
