"""The deployment's capture settings, the signing key and the collector's name."""

from __future__ import annotations

import platform
import shutil
import socket
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vigil.lib.fetch import manifest
from vigil.lib.fetch.http import FetchPolicy
from vigil.lib.fetch.pipeline import CaptureConfig

DEBIAN_CHROMIUM = "/usr/bin/chromium"


def software_version() -> str:
    """Vigil's version as installed."""
    try:
        return version("vigil")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0+unknown"


def software() -> str:
    return f"Vigil {software_version()} (Python {platform.python_version()})"


def collector_name() -> str:
    """Who collected: the configured name, or vigil@<this machine>."""
    return settings.VIGIL_CAPTURE_COLLECTOR or f"vigil@{socket.gethostname()}"


def browser_executable() -> str | None:
    """The Chromium to take screenshots with, or None when captures run without a browser."""
    choice = (settings.VIGIL_CAPTURE_BROWSER or "").strip()
    if choice.lower() in {"", "off", "none", "false", "0", "no"}:
        return None
    if choice.lower() == "auto":
        found = shutil.which("chromium") or (DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).exists() else None)
        return found
    return choice if Path(choice).exists() else None


def _resolver() -> tuple[str, int] | None:
    value = (settings.VIGIL_CAPTURE_RESOLVER or "").strip()
    if not value:
        return None
    host, port = value, "53"
    if value.startswith("["):  # [::1]:53
        host, _, port = value[1:].partition("]")
        port = port.removeprefix(":") or "53"
    elif value.count(":") == 1:
        host, port = value.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(
            f"VIGIL_CAPTURE_RESOLVER must be host[:port] or [IPv6]:port, not {value!r}"
        )
    return host, int(port)


def capture_config() -> CaptureConfig:
    """A :class:`CaptureConfig` from the ``VIGIL_CAPTURE_*`` settings."""
    timeout = float(settings.VIGIL_CAPTURE_TIMEOUT)
    policy = FetchPolicy(
        user_agent=settings.VIGIL_CAPTURE_USER_AGENT,
        timeout=timeout,
        connect_timeout=min(timeout, 10.0),
        max_redirects=int(settings.VIGIL_CAPTURE_MAX_REDIRECTS),
        max_bytes=int(settings.VIGIL_CAPTURE_MAX_BYTES),
        content_types=tuple(settings.VIGIL_CAPTURE_CONTENT_TYPES),
    )
    return CaptureConfig(
        policy=policy,
        crawler_user_agent=settings.VIGIL_CAPTURE_CRAWLER_USER_AGENT,
        mobile_user_agent=settings.VIGIL_CAPTURE_MOBILE_USER_AGENT,
        resolver=_resolver(),
        allow_loopback=bool(settings.VIGIL_FETCH_ALLOW_LOOPBACK),
        browser_executable=browser_executable(),
        browser_timeout=timeout,
        software=software(),
        collector=collector_name(),
    )


@cache
def _key_at(path: str) -> Ed25519PrivateKey:
    return manifest.load_or_create_key(Path(path))


def signing_key() -> Ed25519PrivateKey:
    """The deployment's manifest signing key (created in the data directory on first use)."""
    return _key_at(str(settings.VIGIL_CAPTURE_SIGNING_KEY_FILE))


def public_key() -> tuple[str, str, str]:
    """The public key as (base64, PEM, key id), for the capture page and anyone verifying."""
    key = signing_key()
    return manifest.public_key_b64(key), manifest.public_key_pem(key), manifest.key_id(key)
