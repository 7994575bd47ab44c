"""The exporter registry and the shared contract."""

from __future__ import annotations

import io
import re
from typing import TextIO

import pytest

from tests.lib.exports import samples
from vigil.lib.blocklist import Rule
from vigil.lib.exports.registry import (
    Exporter,
    ExporterRegistry,
    ExportMeta,
    ExportStats,
    exporters,
)

EXPECTED = {
    "adblock": ("text/plain", "txt"),
    "cidr": ("text/plain", "txt"),
    "hosts": ("text/plain", "txt"),
    "nftables": ("text/plain", "nft"),
    "rpz": ("text/dns", "zone"),
    "rspamd": ("text/plain", "map"),
    "uribl": ("text/dns", "zone"),
}


def test_built_in_exporters_by_name_with_media_type_and_extension() -> None:
    assert exporters.names() == tuple(sorted(EXPECTED))
    for name, (media_type, extension) in EXPECTED.items():
        exporter = exporters.get(name)
        assert (exporter.name, exporter.media_type, exporter.extension) == (name, media_type, extension)
        assert exporter.description and exporter.time_limit_s > 0
    assert [cls.name for cls in exporters] == sorted(EXPECTED)


def test_unknown_name_says_which_exist() -> None:
    with pytest.raises(KeyError, match="no exporter named 'bind'; known: adblock, cidr"):
        exporters.get("bind")


class DummyExporter(Exporter):
    name = "dummy"
    media_type = "text/plain"
    extension = "txt"
    description = "for tests"

    def write(self, rules: list[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:  # type: ignore[override]
        return ExportStats(0, 0)


def test_a_taken_name_is_refused() -> None:
    registry = ExporterRegistry()
    registry.register(DummyExporter)

    class Again(DummyExporter):
        pass

    with pytest.raises(
        ValueError, match=re.escape("exporter name 'dummy' is taken by tests.lib.exports.test_registry")
    ):
        registry.register(Again)


def test_a_name_must_be_lower_snake() -> None:
    class Bad(DummyExporter):
        name = "Bad-Name"

    with pytest.raises(ValueError, match="needs a lower_snake name, not 'Bad-Name'"):
        ExporterRegistry().register(Bad)


def test_stats_are_frozen_values_with_counts_by_reason() -> None:
    out = io.StringIO()
    stats = exporters.get("rpz").write(samples.rules(), out, samples.meta())
    assert stats.skipped_total == 6
    with pytest.raises(AttributeError):
        stats.written = 0  # type: ignore[misc]
    assert hash(stats) == hash(exporters.get("rpz").write(samples.rules(), io.StringIO(), samples.meta()))
