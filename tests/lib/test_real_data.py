"""Canonicalisation over real phishing and scam URL lists (skipped when they are absent).

The lists are research data outside the repository; see their PROVENANCE.md files.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from vigil.lib.errors import IndicatorError
from vigil.lib.urls import canonicalise_url, lookup_expressions

DATA = Path("/work/shared/data")
LISTS = [
    DATA / "vn-blocklists" / "chongluadao-urls.txt",
    DATA / "global-blocklists" / "ut1-phishing-urls.txt.gz",
]
# The lists hold names that really were served, so almost all must be accepted.
MAX_REFUSED_SHARE = 0.005


def _rows(path: Path) -> list[str]:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            text = handle.read()
    else:
        text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("path", LISTS, ids=lambda path: path.name)
def test_canonicalisation_of_real_urls(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not on this machine (shared research data, not in the repo)")
    rows = _rows(path)
    refused: list[tuple[str, str]] = []
    for row in rows:
        try:
            url = canonicalise_url(row)
        except IndicatorError as exc:
            refused.append((row, str(exc)))
            continue
        assert canonicalise_url(url.url) == url, row
        assert 1 <= len(lookup_expressions(url)) <= 30, row
    share = len(refused) / len(rows)
    print(f"{path.name}: {len(rows)} rows, {len(refused)} refused ({share:.3%})", refused[:5])
    assert share <= MAX_REFUSED_SHARE, refused[:20]
