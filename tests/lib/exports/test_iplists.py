"""IP lists: aggregated, allow-listed addresses taken out, valid nftables syntax even when empty."""

from __future__ import annotations

import io
import ipaddress
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lib.exports import samples
from tests.lib.exports.samples import allow, block
from vigil.lib.blocklist import Rule, RuleKind
from vigil.lib.exports.iplists import blocked_networks, write_cidr, write_nftables
from vigil.lib.exports.registry import SkipReason

META = samples.meta("vigil.example")
PROBES = ["198.51.100.52", "198.51.100.53", "198.51.100.54", "203.0.113.7", "203.0.113.8"]
PROBES += ["2001:db8::1", "2001:db8:bad::ffff", "2001:db8:bad:1::1", "2001:db8:bad:2::1"]


def nft_text(rules: list[Rule]) -> str:
    out = io.StringIO()
    write_nftables(rules, out, META)
    return out.getvalue()


def cidr_lines(rules: list[Rule]) -> list[str]:
    out = io.StringIO()
    write_cidr(rules, out, META)
    return [line for line in out.getvalue().splitlines() if not line.startswith("#")]


def test_adjacent_and_nested_blocks_are_aggregated() -> None:
    rules = [
        block(RuleKind.CIDR, "192.0.2.0/25", 1),
        block(RuleKind.CIDR, "192.0.2.128/25", 2),
        block(RuleKind.IP, "192.0.2.77", 3),  # inside
        block(RuleKind.CIDR, "2001:db8::/33", 4),
        block(RuleKind.CIDR, "2001:db8:8000::/33", 5),
    ]
    assert cidr_lines(rules) == ["192.0.2.0/24", "2001:db8::/32"]


def test_allow_listed_addresses_are_taken_out_and_covering_allows_remove_blocks() -> None:
    rules = [
        block(RuleKind.CIDR, "10.0.0.0/30", 1),
        allow(RuleKind.IP, "10.0.0.1"),
        block(RuleKind.IP, "10.9.9.9", 2),
        allow(RuleKind.CIDR, "10.9.0.0/16"),  # covers the whole block
        block(RuleKind.CIDR, "10.20.0.0/24", 3),
        allow(RuleKind.CIDR, "10.20.0.0/26"),
        allow(RuleKind.CIDR, "10.20.0.192/26"),
    ]
    networks = blocked_networks(rules)
    assert [str(n) for n in networks.v4] == ["10.0.0.0/32", "10.0.0.2/31", "10.20.0.64/26", "10.20.0.128/26"]
    assert networks.stats.skipped_for(SkipReason.ALLOWED) == 1
    assert networks.stats.skipped_for(SkipReason.ALLOW_RULE) == 4


def test_result_is_exactly_the_blocked_minus_the_allowed_addresses() -> None:
    rules = samples.rules()
    networks = blocked_networks(rules)
    for version, listed in ((4, networks.v4), (6, networks.v6)):
        spans = [(int(n.network_address), int(n.broadcast_address)) for n in listed]
        assert spans == sorted(spans) and all(a[1] < b[0] for a, b in itertools.pairwise(spans))
        for probe in PROBES:
            address = ipaddress.ip_address(probe)
            if address.version != version:
                continue
            listed_here = any(address in n for n in listed)
            assert listed_here == (probe not in {"198.51.100.53", "203.0.113.8", "2001:db8:bad:1::1"}), probe


def test_nftables_file_structure() -> None:
    text = nft_text(samples.rules())
    code = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert code.count("{") == code.count("}")
    assert "flush set inet vigil blocked_v4\nflush set inet vigil blocked_v6\n" in code
    elements = re.findall(r"elements = \{\n(.*?)\n\t\t\}", code, re.S)
    assert len(elements) == 2
    v4 = [e.strip().rstrip(",") for e in elements[0].splitlines()]
    assert v4[0] == "198.51.100.0/27" and v4[-1] == "203.0.113.7"
    assert all(e.strip().endswith(",") for e in elements[0].splitlines() + elements[1].splitlines())


def test_empty_sets_have_no_elements_line() -> None:
    text = nft_text([block(RuleKind.HOST, "x.example", 1)])
    assert "elements =" not in text
    assert "\tset blocked_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n" in text


def test_only_ipv6_leaves_the_ipv4_set_empty() -> None:
    text = nft_text([block(RuleKind.IP, "2001:db8::1", 1)])
    assert text.count("elements = {") == 1
    assert "\t\t\t2001:db8::1,\n" in text


def nft_checks(tmp_path: Path) -> bool:
    """nft is installed and may check a ruleset here (it needs CAP_NET_ADMIN even for -c)."""
    nft = shutil.which("nft")
    if nft is None:
        return False
    probe = tmp_path / "probe.nft"
    probe.write_text("table inet vigil_probe {\n}\n")
    return subprocess.run([nft, "-c", "-f", str(probe)], capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize(
    "rules",
    [samples.rules(), [], [block(RuleKind.IP, "2001:db8::1", 1)], [block(RuleKind.IP, "192.0.2.1", 1)]],
    ids=["sample", "empty", "ipv6-only", "ipv4-only"],
)
def test_nft_accepts_the_file(rules: list[Rule], tmp_path: Path) -> None:
    if not nft_checks(tmp_path):
        pytest.fail("nft must be able to check rulesets: apt-get install nftables (make test does as root)")
    path = tmp_path / "blocked.nft"
    path.write_text(nft_text(rules))
    result = subprocess.run(["nft", "-c", "-f", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
