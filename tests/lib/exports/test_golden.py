"""Every format against its golden file, byte for byte, and the same bytes for any input order.

Set ``VIGIL_UPDATE_GOLDEN=1`` to rewrite the golden files after a deliberate change, then
read the diff before committing it.
"""

from __future__ import annotations

import difflib
import io
import os
import random
from pathlib import Path

import pytest

from tests.lib.exports import samples
from vigil.lib.blocklist import Rule
from vigil.lib.exports.registry import ExportMeta, exporters

GOLDEN = Path(__file__).parent / "golden"
ORIGINS = {"rpz": "rpz.vigil.example", "uribl": "uribl.vigil.example"}


def meta_for(name: str) -> ExportMeta:
    return samples.meta(ORIGINS.get(name, "vigil.example"))


def export(name: str, rules: list[Rule] | None = None) -> str:
    out = io.StringIO()
    exporters.get(name).write(samples.rules() if rules is None else rules, out, meta_for(name))
    return out.getvalue()


def assert_golden(filename: str, text: str) -> None:
    path = GOLDEN / filename
    if os.environ.get("VIGIL_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode())
        return
    expected = path.read_bytes().decode()
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True), text.splitlines(keepends=True), "golden", "now"
        )
        pytest.fail(f"{filename} differs from its golden file:\n{''.join(diff)}")


@pytest.mark.parametrize("name", exporters.names())
def test_output_matches_golden_file(name: str) -> None:
    exporter = exporters.get(name)
    assert_golden(f"{name}.{exporter.extension}", export(name))


@pytest.mark.parametrize("name", exporters.names())
def test_output_does_not_depend_on_input_order(name: str) -> None:
    expected = export(name)
    for seed in range(5):
        shuffled = samples.rules()
        random.Random(seed).shuffle(shuffled)
        assert export(name, shuffled) == expected


@pytest.mark.parametrize("name", exporters.names())
def test_takes_a_one_pass_iterator(name: str) -> None:
    out = io.StringIO()
    exporters.get(name).write(iter(samples.rules()), out, meta_for(name))
    assert out.getvalue() == export(name)


@pytest.mark.parametrize("name", exporters.names())
def test_header_states_serial_time_and_counts_and_nothing_else_varies(name: str) -> None:
    text = export(name)
    assert "serial: 2026050101" in text
    assert "generated: 2026-05-01T00:00:00Z" in text
    assert "rules: 22, written: " in text
    later = samples.meta(ORIGINS.get(name, "vigil.example"), generated_at="2026-06-01T12:00:00+00:00")
    out = io.StringIO()
    exporters.get(name).write(samples.rules(), out, later)
    changed = [
        (old, new)
        for old, new in zip(text.splitlines(), out.getvalue().splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == (2 if name == "adblock" else 1)  # Adblock also has "! Last modified:"


@pytest.mark.parametrize("name", exporters.names())
def test_empty_rule_set_writes_a_valid_empty_list(name: str) -> None:
    out = io.StringIO()
    stats = exporters.get(name).write([], out, meta_for(name))
    assert stats.rules == stats.written == stats.skipped_total == 0
    assert out.getvalue().endswith("\n")
    assert_golden(f"empty-{name}.{exporters.get(name).extension}", out.getvalue())
