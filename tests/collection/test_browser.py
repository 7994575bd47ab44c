"""The screenshot: Debian's Chromium renders the captured bytes and reaches nothing itself."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.collection.helpers import capture_now
from tests.e2e.conftest import _chromium_path
from vigil.cases.services import evidence_store

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def browser_settings(settings):
    settings.VIGIL_CAPTURE_BROWSER = _chromium_path()
    return settings


def test_full_page_screenshot_of_the_captured_page_only(
    analyst, web, canary, browser_settings, no_outside_connections
):
    before = len(web.requests)
    capture = capture_now(analyst, web.url(f"/lure?to={canary.url('')}"))
    assert capture.state == "succeeded", capture.failure_message
    artefact = capture.artefacts.select_related("evidence").get(name="screenshot.png")
    png = evidence_store().open(artefact.evidence.sha256).read()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 1280 and image.height >= 600
    # The page's own stylesheet and logo were fetched by Vigil's guarded client and served
    # to the browser; the browser itself made no request to either server.
    paths = [seen.path for seen in web.requests[before:]]
    assert sorted(paths) == sorted([paths[0]] * 3 + ["/bank/style.css", "/bank/logo.svg"])
    assert canary.requests == [], "the browser reached a server other than the captured page"
    facts = capture.summary["screenshot"]
    blocked = "\n".join(facts["blocked"])
    for what in ("/pixel.gif", "/fetch", "/script.js", "/frame", "/style.css", "/ws"):
        assert canary.url(what).replace("http://", "") in blocked.replace("ws://", "").replace(
            "http://", ""
        ), what
    assert facts["browser"].startswith("Chromium")
    assert capture.manifest is not None
    assert {a.name for a in capture.artefacts.all()} >= {"screenshot.png", "manifest.json"}
    assert set(no_outside_connections) <= {"127.0.0.1"}


def test_capture_without_a_browser_still_works(analyst, web, settings):
    settings.VIGIL_CAPTURE_BROWSER = "/nonexistent/chromium"
    capture = capture_now(analyst, web.url("/bank/login"))
    assert capture.state == "succeeded"
    screenshot = next(step for step in capture.steps if step["name"] == "screenshot")
    assert screenshot["state"] == "skipped"
    assert not capture.artefacts.filter(name="screenshot.png").exists()
