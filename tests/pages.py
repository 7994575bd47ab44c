"""A logged-in, two-factor-verified web client for page tests."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.core.models import User


def verified_client(user: User, language: str = "en") -> Client:
    """A browser-like client whose session has passed the TOTP step."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    device = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})[0]
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
