"""Golden captures of the fixture pages: what a capture records, field by field.

Each page's normalised capture summary must equal ``golden/<name>.json`` exactly. After
an intended change, rewrite them with ``VIGIL_UPDATE_GOLDEN=1 pytest tests/collection/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.collection.helpers import run_async
from vigil.lib.fetch.http import FetchPolicy
from vigil.lib.fetch.pipeline import CaptureConfig, CaptureOutcome, capture

GOLDEN = Path(__file__).parent / "golden"
PAGES = {
    "bank_login": "/bank/login",
    "gambling": "/gambling",
    "cloaking": "/cloak",
    "redirect_chain": "/redirect/start",
    "gzip_bomb": "/gzip-bomb",
    "big_body": "/big",
    "harmless": "/harmless",
    "apk_download": "/app/nhacai.apk",
}
CONFIG = CaptureConfig(
    policy=FetchPolicy(
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0", timeout=15, max_bytes=1024 * 1024
    ),
    crawler_user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    mobile_user_agent="Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36",
    allow_loopback=True,
)


def summary(outcome: CaptureOutcome, origin: str) -> dict[str, Any]:
    def norm(text: str) -> str:
        return text.replace(origin, "ORIGIN")

    page = outcome.page
    warc = Counter(record.rec_type for record in ArchiveIterator(io.BytesIO(outcome.warc)))
    return {
        "final_url": norm(outcome.final_url),
        "status": outcome.status,
        "media_type": outcome.media_type,
        "chain": [
            [
                hop["status"],
                norm(hop["url"]),
                norm(dict(hop["headers"]).get("Location", "")),
                hop["body_complete"],
            ]
            for hop in outcome.facts["redirect_chain"]
        ],
        "limits": [[limit.kind, limit.message] for limit in outcome.limits],
        "cloaking_suspected": outcome.cloaking_suspected,
        "variants": [
            [v.name, v.status, v.title, v.differs, [norm(r) for r in v.reasons]] for v in outcome.variants
        ],
        "page": None
        if page is None
        else {
            "title": page.facts.title,
            "language": page.facts.language,
            "text_start": page.facts.text[:200],
            "text_chars": len(page.facts.text),
            "forms": [
                [norm(f.action), f.method, list(f.input_names), list(f.input_types), list(f.labels)]
                for f in page.facts.forms
            ],
            "links": [norm(link) for link in page.facts.links[:10]],
            "downloads": [norm(link) for link in page.facts.downloads],
            "resources": [norm(link) for link in page.resources],
            "content_sha256": page.content_sha256,
            "text_fingerprint": page.text_fingerprint,
            "dom_fingerprint": page.dom_fingerprint,
        },
        "warc_records": dict(sorted(warc.items())),
    }


@pytest.mark.parametrize("name", sorted(PAGES))
def test_golden_capture(name, web):
    outcome = run_async(capture(web.url(PAGES[name]), CONFIG, lambda event: None))
    got = summary(outcome, web.url("").rstrip("/"))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        path.write_text(
            json.dumps(got, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got == expected
