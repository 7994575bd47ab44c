"""Blocking tests get their own snapshot and export directory."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def blocklist_dir(settings: Any, tmp_path: Any) -> Any:
    settings.VIGIL_BLOCKLIST_DIR = tmp_path / "blocklist"
    settings.VIGIL_BLOCK_PAGE_HOST = "blocked.vigil.example"
    settings.VIGIL_PUBLIC_URL = "https://vigil.example.gov.vn"
    from vigil.blocking import services

    services._holder.cache_clear()
    return settings.VIGIL_BLOCKLIST_DIR
