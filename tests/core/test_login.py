"""Log-in with password then TOTP, first-time enrolment, lock-out, and the 2FA gate."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from vigil.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _password_step(client: Client, username: str, password: str = factories.PASSWORD):
    return client.post("/account/login/", {"username": username, "password": password})


def test_password_alone_does_not_open_pages(analyst):
    client = Client()
    response = _password_step(client, "analyst")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    for page in ("/", "/cases/", "/audit/", "/account/tokens/", "/admin/"):
        assert client.get(page)["Location"].startswith("/account/two-factor/"), page
    assert client.get("/api/v1/cases").status_code == 401


def test_first_login_enrols_an_authenticator(analyst):
    client = Client()
    _password_step(client, "analyst")
    page = client.get("/account/two-factor/")
    assert b"<svg" in page.content
    secret = re.search(rb'id="totp-secret">([A-Z2-7]+)<', page.content).group(1)
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    assert secret.decode() == __import__("base64").b32encode(device.bin_key).decode()
    bad = "000000" if _code(device) != "000000" else "111111"
    wrong = client.post("/account/two-factor/", {"code": bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and b"That code is wrong" in wrong.content
    throttled = client.post("/account/two-factor/", {"code": _code(device)}, HTTP_ACCEPT_LANGUAGE="en")
    assert b"After 1 wrong codes, wait" in throttled.content, "a wrong code throttles the next try"
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )
    done = client.post("/account/two-factor/", {"code": _code(device), "next": "/cases/"})
    assert done.status_code == 302 and done["Location"] == "/cases/"
    assert TOTPDevice.objects.get(user=analyst).confirmed
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.filter(action="user.totp_enrolled", actor=analyst).exists()
    assert AuditEvent.objects.filter(action="user.logged_in", actor=analyst).exists()


def test_returning_user_enters_a_code(analyst):
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    client = Client()
    _password_step(client, "analyst")
    assert b"<svg" not in client.get("/account/two-factor/").content
    assert client.post("/account/two-factor/", {"code": _code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_session_api_access_needs_the_second_factor(analyst):
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    client = Client()
    _password_step(client, "analyst")
    assert client.get("/api/v1/me").status_code == 401
    client.post("/account/two-factor/", {"code": _code(device)})
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["roles"] == ["analyst"]


def test_repeated_failures_lock_the_account(analyst, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _password_step(client, "analyst", "wrong password").status_code == 200
    assert _password_step(client, "analyst", "wrong password").status_code == 429
    locked = _password_step(client, "analyst")  # the right password no longer helps
    assert locked.status_code == 429
    assert b"Too many failed log-ins" in locked.content
    assert client.get("/cases/").status_code == 302


def test_logout_is_post_only(analyst):
    client = Client()
    _password_step(client, "analyst")
    assert client.get("/account/logout/").status_code == 405
    assert client.post("/account/logout/").status_code == 302
