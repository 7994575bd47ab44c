"""The URIBL zone answers like the matcher under real DNS wildcard rules; the rspamd map lists names."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import dns.name
import dns.rdatatype
import dns.zone
import pytest

from tests.lib.exports import samples
from tests.lib.exports.dnsmodel import TRICKY, ZoneModel, matcher_blocks, query_names, random_rule_sets
from vigil.lib.blocklist import Rule
from vigil.lib.exports.registry import ExportMeta, SkipReason
from vigil.lib.exports.uribl import txt_rdata, write_rspamd, write_uribl

META = samples.meta("uribl.vigil.example")


def uribl_zone(rules: list[Rule], meta: ExportMeta = META) -> dns.zone.Zone:
    out = io.StringIO()
    write_uribl(rules, out, meta)
    return dns.zone.from_text(out.getvalue(), origin=None, relativize=False)


def assert_answers_like_the_matcher(rules: list[Rule]) -> None:
    model = ZoneModel(uribl_zone(rules))
    wrong = {
        name: model.has(name, dns.rdatatype.A)
        for name in sorted(query_names(rules))
        if model.has(name, dns.rdatatype.A) != matcher_blocks(rules, name)
    }
    assert not wrong, f"listed ≠ blocked for {wrong}"


def test_sample_zone_answers_like_the_matcher() -> None:
    assert_answers_like_the_matcher(samples.rules())


@pytest.mark.parametrize("rules", TRICKY)
def test_tricky_trees_answer_like_the_matcher(rules: list[Rule]) -> None:
    assert_answers_like_the_matcher(rules)


def test_random_trees_answer_like_the_matcher() -> None:
    for rules in random_rule_sets():
        assert_answers_like_the_matcher(rules)


def test_records_give_the_reason_and_the_rfc5782_test_entry() -> None:
    zone = uribl_zone(samples.rules())
    name = dns.name.from_text("vcb-xacminh.example", zone.origin)
    assert zone.find_rdataset(name, dns.rdatatype.A)[0].address == "127.0.0.2"
    txt = zone.find_rdataset(name, dns.rdatatype.TXT)[0].strings
    assert txt == (b"decision=104 category=phishing basis=blhs-290 expires=2027-05-01",)
    model = ZoneModel(zone)
    assert model.has("test", dns.rdatatype.A)
    assert not model.has("invalid", dns.rdatatype.A)
    assert model.has(f"anything.{samples.IDN_DOMAIN}", dns.rdatatype.A)


def test_stats() -> None:
    stats = write_uribl(samples.rules(), io.StringIO(), META)
    assert (stats.rules, stats.written, stats.unit) == (22, 12, "listed names")
    assert dict(stats.skipped) == {
        SkipReason.URL_RULE: 4,
        SkipReason.ADDRESS_RULE: 7,
        SkipReason.ALLOW_RULE: 3,
        SkipReason.ALLOWED: 1,
        SkipReason.DUPLICATE: 1,
    }


@pytest.mark.parametrize(
    ("text", "strings"),
    [
        ("plain", (b"plain",)),
        ('say "hi" \\ there', (b'say "hi" \\ there',)),
        ("Điều 290", ("Điều 290".encode(),)),
        ("a\nb", (b"a\nb",)),
        ("x" * 300, (b"x" * 255, b"x" * 45)),
    ],
)
def test_txt_data_round_trips_through_a_zone_parser(text: str, strings: tuple[bytes, ...]) -> None:
    zone = dns.zone.from_text(
        f"$ORIGIN t.example.\n@ SOA ns. h. 1 1 1 1 1\n@ NS ns.\nx TXT {txt_rdata(text)}\n", origin=None
    )
    assert zone.find_rdataset("x", dns.rdatatype.TXT)[0].strings == strings


def test_rspamd_map_lists_blocked_names_once_and_skips_the_rest() -> None:
    out = io.StringIO()
    stats = write_rspamd(samples.rules(), out, samples.meta("vigil.example"))
    lines = [line for line in out.getvalue().splitlines() if not line.startswith("#")]
    assert lines == [
        "login.shared-host.example",
        "m.vcb-xacminh.example",
        "free-hosting.example",
        "tenant.shared-host.example",
        "vcb-xacminh.example",
        samples.IDN_DOMAIN,
    ]
    assert stats.written == 6 and stats.skipped_for(SkipReason.ALLOWED) == 1


@pytest.mark.skipif(shutil.which("named-checkzone") is None, reason="BIND's named-checkzone is not installed")
def test_bind_loads_the_zone(tmp_path: Path) -> None:
    path = tmp_path / "uribl.zone"
    with path.open("w") as out:
        write_uribl(samples.rules(), out, META)
    result = subprocess.run(
        ["named-checkzone", "-k", "fail", "-i", "full", "uribl.vigil.example", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
