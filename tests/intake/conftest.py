"""Desk tests get their own intake store and blocklist snapshot; abuse guards start relaxed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests import factories
from vigil.core.choices import OrganisationKind
from vigil.core.models import User


@pytest.fixture(autouse=True)
def intake_settings(settings: Any, tmp_path: Any) -> Any:
    settings.VIGIL_INTAKE_ROOT = tmp_path / "intake"
    settings.VIGIL_BLOCKLIST_DIR = tmp_path / "blocklist"
    settings.VIGIL_PUBLIC_URL = "https://vigil.example.gov.vn"
    settings.VIGIL_INTAKE_POW_LOAD_PER_MINUTE = 10_000
    settings.VIGIL_INTAKE_POW_AFTER_REPORTS_PER_IP = 10_000
    from vigil.blocking import services

    services._holder.cache_clear()
    return settings


@pytest.fixture
def bank(db: None) -> Any:
    return factories.organisation("vcb", OrganisationKind.BANK)


@pytest.fixture
def partner(bank: Any) -> User:
    return factories.user("partner", org=bank, username="partner")


def png_with_exif(size: tuple[int, int] = (40, 30)) -> bytes:
    """A small JPEG carrying EXIF with GPS, as a phone would send."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (10.0, 15.0, 0.0), 3: "E", 4: (105.0, 58.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
