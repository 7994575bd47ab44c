"""Dashboard, audit page, tokens page, language, per-role navigation."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.pages import verified_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role", ["admin", "analyst", "appraiser", "approver", "liaison", "unit_reporter", "auditor"]
)
def test_every_role_gets_its_pages(role):
    user = factories.user(role)
    client = verified_client(user)
    for page in ("/", "/cases/", "/indicators/", "/account/tokens/"):
        assert client.get(page).status_code == 200, page
    audit = client.get("/audit/")
    assert audit.status_code == (200 if role in {"admin", "auditor"} else 403)
    nav = client.get("/").content
    assert (b'href="/audit/"' in nav) == (role in {"admin", "auditor"})


def test_vietnamese_is_the_default_and_english_switchable(analyst):
    client = verified_client(analyst, language="vi")
    assert "Vụ việc".encode() in client.get("/").content
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert b"Cases" in client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content


def test_audit_page_verifies_the_chain(analyst, auditor):
    factories.case(analyst)
    page = verified_client(auditor).get("/audit/", {"verify": "1"})
    assert b"Chain intact" in page.content and b"case.opened" in page.content


def test_token_page_shows_a_new_token_once(analyst):
    client = verified_client(analyst)
    created = client.post("/account/tokens/", {"name": "sensor-1", "days": 30})
    assert b'id="new-token">vgl_' in created.content
    listing = client.get("/account/tokens/").content.decode()
    assert 'id="new-token"' not in listing and "sensor-1" in listing


def test_login_page_is_public_and_healthz_answers():
    assert Client().get("/account/login/").status_code == 200
    assert Client().get("/healthz").content == b"ok"
