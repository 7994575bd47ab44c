"""Typed reading of ``VIGIL_*`` environment variables.

Every setting may also be given as ``VIGIL_<NAME>_FILE`` pointing at a file that holds
the value (for secrets mounted by Docker/Kubernetes/systemd credentials).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "VIGIL_"


def _raw(name: str) -> str | None:
    key = PREFIX + name
    file_key = key + "_FILE"
    if os.environ.get(file_key):
        path = Path(os.environ[file_key])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_key}: cannot read {path}: {exc}") from exc
    value = os.environ.get(key)
    return value if value not in (None, "") else None


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """A string setting; ``required`` makes a missing value fail at start."""
    value = _raw(name)
    if value is None:
        if required:
            raise ImproperlyConfigured(f"{PREFIX}{name} (or {PREFIX}{name}_FILE) must be set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting: 1/true/yes/on or 0/false/no/off."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name}: expected true or false, got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer setting with an optional lower bound."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{PREFIX}{name}: expected an integer, got {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name}: must be at least {minimum}, got {number}")
    return number


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    """A number setting within [minimum, maximum]."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{PREFIX}{name}: expected a number, got {value!r}") from exc
    if not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{PREFIX}{name}: must be between {minimum} and {maximum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list setting."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
