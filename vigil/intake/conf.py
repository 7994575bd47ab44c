"""The desk's settings: ``VIGIL_INTAKE_*`` environment variables, overridable in Django settings.

They are read on every use (cheap) so tests can override them with ``settings``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from vigil.env import env_int, env_str

_DEFAULTS: dict[str, int] = {
    # Public form: reports per client address per hour, and the look-up / status-page limits.
    "REPORTS_PER_IP_HOUR": 20,
    "LOOKUPS_PER_IP_MINUTE": 60,
    "PAGES_PER_IP_MINUTE": 120,
    # Proof of work: required once this many reports arrived in the last minute (per web
    # process), or once one address sent this many reports in the hour.
    "POW_LOAD_PER_MINUTE": 120,
    "POW_AFTER_REPORTS_PER_IP": 3,
    "POW_BITS": 16,
    # Screenshots: how many per report and how large each may be before re-encoding.
    "SCREENSHOTS_MAX": 3,
    "SCREENSHOT_MAX_BYTES": 8 * 1024 * 1024,
    "SCREENSHOT_MAX_SIDE": 2560,
    # Partners: the default daily quota per organisation and requests per token per minute.
    "PARTNER_DAILY_QUOTA": 50_000,
    "PARTNER_REQUESTS_PER_MINUTE": 120,
    "BATCH_MAX_ITEMS": 1000,
    # Public reports waiting while a commit runs are stored by the next one together (1 on, 0 off).
    "GROUP_COMMIT": 1,
    # Contact details are erased this many days after a report reaches a final status.
    "CONTACT_RETENTION_DAYS": 180,
}


def get(name: str) -> int:
    """An integer setting: Django setting ``VIGIL_INTAKE_<NAME>``, else env, else the default."""
    value = getattr(settings, f"VIGIL_INTAKE_{name}", None)
    if value is not None:
        return int(value)
    return env_int(f"INTAKE_{name}", _DEFAULTS[name], minimum=0)


def store_root() -> Path:
    """Where screenshots and import files wait (outside the evidence store) until a case needs them."""
    configured = getattr(settings, "VIGIL_INTAKE_ROOT", None) or env_str("INTAKE_ROOT", None)
    return Path(configured or Path(settings.DATA_DIR) / "intake").resolve()
