"""The RPZ zone writer: parses, says what rpz_records says, resolves conflicts, refuses bad names."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from tests.lib.exports import samples
from tests.lib.exports.dnsmodel import TRICKY, ZoneModel, matcher_blocks, query_names, random_rule_sets
from tests.lib.exports.samples import allow, block
from vigil.lib.blocklist import Rule, RuleAction, RuleKind
from vigil.lib.exports.registry import ExportError, ExportMeta, SkipReason
from vigil.lib.exports.rpz import Policy, RpzRecord, rpz_records
from vigil.lib.exports.zonefile import write_records, write_zone, zone_records

META = samples.meta()


def zone_text(rules: list[Rule], meta: ExportMeta = META) -> str:
    out = io.StringIO()
    write_zone(rules, out, meta)
    return out.getvalue()


def parse(text: str) -> dns.zone.Zone:
    return dns.zone.from_text(text, origin=None, relativize=True)


def cnames(zone: dns.zone.Zone) -> dict[str, str]:
    """Owner (relative) → CNAME target, for every CNAME in the zone."""
    found = {}
    for name, rdataset in zone.iterate_rdatasets(dns.rdatatype.CNAME):
        assert len(rdataset) == 1
        found[name.to_text()] = rdataset[0].target.to_text()
    return found


def body(text: str) -> str:
    return text[text.index("$ORIGIN") :]


def test_dnspython_parses_the_zone_with_the_right_owners_and_targets() -> None:
    zone = parse(zone_text(samples.rules()))
    assert zone.origin == dns.name.from_text("rpz.vigil.example.")
    soa = zone.find_rdataset("@", dns.rdatatype.SOA)
    assert soa[0].serial == 2026050101 and soa.ttl == 300
    assert [ns.target.to_text() for ns in zone.find_rdataset("@", dns.rdatatype.NS)] == [
        "ns1.vigil.example.",
        "ns2.vigil.example.",
    ]
    block_page, passthru = "blocked.vigil.example.", "rpz-passthru."
    assert cnames(zone) == {
        "login.shared-host.example": block_page,
        "shared-host.example": passthru,
        "tenant.shared-host.example": block_page,
        "*.tenant.shared-host.example": block_page,
        samples.IDN_DOMAIN: block_page,
        f"*.{samples.IDN_DOMAIN}": block_page,
        # Names below DOMAIN rules and those domains: spelled out so wildcards leave no holes.
        "free-hosting.example": block_page,
        "*.free-hosting.example": block_page,
        "m.vcb-xacminh.example": block_page,
        "*.m.vcb-xacminh.example": block_page,
        "otp.vietcombank.com.vn": passthru,
        "*.otp.vietcombank.com.vn": passthru,
        "status.free-hosting.example": passthru,
        "*.status.free-hosting.example": block_page,
        "vcb-xacminh.example": block_page,
        "*.vcb-xacminh.example": block_page,
        "vietcombank.com.vn": passthru,
        "*.vietcombank.com.vn": passthru,
        "32.53.100.51.198.rpz-ip": passthru,
        "32.7.113.0.203.rpz-ip": block_page,
        "128.1.zz.db8.2001.rpz-ip": block_page,
        "25.0.100.51.198.rpz-ip": block_page,
        "25.128.100.51.198.rpz-ip": block_page,
        "48.zz.bad.db8.2001.rpz-ip": block_page,
        "64.zz.1.bad.db8.2001.rpz-ip": passthru,
    }


def test_every_record_has_a_comment_naming_its_decision_or_source() -> None:
    records = zone_text(samples.rules()).split("@ NS ns2.vigil.example.\n")[1].splitlines()
    assert len(records) == 25
    for line in records:
        _, comment = line.split(" ; ")
        assert comment.startswith(("decision=1", "source=allowlist"))
    assert "m.vcb-xacminh.example CNAME blocked.vigil.example. ; decision=105 category=phishing" in records[8]
    assert "*.m.vcb-xacminh.example CNAME blocked.vigil.example. ; decision=104 " in records[9]


def test_nxdomain_policy_writes_cname_to_the_root() -> None:
    zone = parse(zone_text(samples.rules(), samples.meta(policy=Policy.NXDOMAIN, block_host="")))
    assert cnames(zone)["vcb-xacminh.example"] == "."
    assert cnames(zone)["vietcombank.com.vn"] == "rpz-passthru."


def test_stats_count_records_and_say_why_rules_were_left_out() -> None:
    stats = write_zone(samples.rules(), io.StringIO(), META)
    assert (stats.rules, stats.written, stats.unit) == (22, 25, "records")
    assert dict(stats.skipped) == {
        SkipReason.URL_RULE: 4,  # DNS sees no paths
        SkipReason.DUPLICATE: 1,  # login.shared-host.example from a second decision
        SkipReason.ALLOWED: 1,  # otp.vietcombank.com.vn, under an allow-listed domain: passthru
    }


def assert_resolver_blocks_like_the_matcher(rules: list[Rule]) -> None:
    """A resolver applying the zone (BIND applies RPZ wildcards by DNS rules) blocks what the matcher does."""
    text = zone_text(rules, samples.meta(policy=Policy.NXDOMAIN, block_host=""))
    model = ZoneModel(dns.zone.from_text(text, origin=None, relativize=False))
    wrong = {
        name: model.cname(name)
        for name in sorted(query_names(rules))
        if (model.cname(name) == ".") != matcher_blocks(rules, name)
    }
    assert not wrong, f"rewritten ≠ blocked for {wrong}"


def test_sample_zone_blocks_like_the_matcher() -> None:
    assert_resolver_blocks_like_the_matcher(samples.rules())


@pytest.mark.parametrize("rules", TRICKY)
def test_tricky_trees_block_like_the_matcher(rules: list[Rule]) -> None:
    assert_resolver_blocks_like_the_matcher(rules)


def test_random_trees_block_like_the_matcher() -> None:
    for rules in random_rule_sets():
        assert_resolver_blocks_like_the_matcher(rules)


def test_without_overlapping_names_the_records_are_those_of_rpz_records() -> None:
    rules = [
        block(RuleKind.DOMAIN, "a.example", 1),
        block(RuleKind.HOST, "b.example", 2),
        allow(RuleKind.HOST, "c.example"),
        block(RuleKind.IP, "192.0.2.1", 3),
        block(RuleKind.CIDR, "2001:db8::/32", 4),
    ]
    records, _ = zone_records(rules, META)
    expected = rpz_records(rules, policy=META.policy, block_host=META.block_host)
    assert sorted(records) == sorted(expected)


def test_zone_records_written_by_write_records_give_the_same_zone() -> None:
    records, stats = zone_records(samples.rules(), META)
    out = io.StringIO()
    assert write_records(records, out, META).written == stats.written == len(records)
    assert body(out.getvalue()) == body(zone_text(samples.rules()))


def test_host_and_domain_with_one_name_share_the_apex_record() -> None:
    rules = [block(RuleKind.HOST, "evil.example", 1), block(RuleKind.DOMAIN, "evil.example", 2)]
    records, stats = zone_records(rules, META)
    assert [(r.owner, r.comment.split()[0]) for r in records] == [
        ("evil.example", "decision=1"),
        ("*.evil.example", "decision=2"),
    ]
    assert stats.skipped == ()


def test_allow_listed_host_overrides_the_apex_of_a_blocked_domain_but_not_its_wildcard() -> None:
    rules = [block(RuleKind.DOMAIN, "platform.example", 1), allow(RuleKind.HOST, "platform.example")]
    records, stats = zone_records(rules, META)
    assert [(r.owner, r.rdata) for r in records] == [
        ("platform.example", "rpz-passthru."),
        ("*.platform.example", "blocked.vigil.example."),
    ]
    assert stats.skipped == ()


def test_allow_wins_a_tie_of_kind_and_value_whatever_the_order() -> None:
    for rules in (
        [block(RuleKind.HOST, "x.example", 1), allow(RuleKind.HOST, "x.example")],
        [allow(RuleKind.HOST, "x.example"), block(RuleKind.HOST, "x.example", 1)],
    ):
        records, _ = zone_records(rules, META)
        assert [(r.owner, r.rdata) for r in records] == [("x.example", "rpz-passthru.")]


def test_one_record_per_address_owner_and_allowed_ranges_override_narrower_blocks() -> None:
    rules = [
        block(RuleKind.IP, "192.0.2.1", 1),
        block(RuleKind.CIDR, "192.0.2.1/32", 2),  # the same owner as the IP rule
        block(RuleKind.CIDR, "192.0.2.9/24", 3),  # host bits set: the /24
        block(RuleKind.IP, "198.51.100.7", 4),
        allow(RuleKind.CIDR, "198.51.100.0/24"),
    ]
    records, stats = zone_records(rules, META)
    assert [(r.owner, r.rdata) for r in records] == [
        ("32.1.2.0.192.rpz-ip", "blocked.vigil.example."),
        ("24.0.2.0.192.rpz-ip", "blocked.vigil.example."),
        ("24.0.100.51.198.rpz-ip", "rpz-passthru."),
    ]
    assert dict(stats.skipped) == {SkipReason.DUPLICATE: 1, SkipReason.ALLOWED: 1}


def test_a_line_break_in_a_reference_cannot_break_the_zone() -> None:
    rule = Rule(RuleKind.HOST, "x.example", RuleAction.BLOCK, samples.ref(1, category="phish\ning\r"))
    text = zone_text([rule])
    assert "x.example CNAME blocked.vigil.example. ; decision=1 category=phish ing  basis=" in text
    assert cnames(parse(text)) == {"x.example": "blocked.vigil.example."}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Evil.example", "upper case (rule values are canonical lower case)"),
        ("bad..example", "empty label"),
        (".example", "empty label"),
        ("example.", "empty label"),
        ("ngânhàng.vn", "not ASCII (write internationalised names in their xn-- form)"),
        ("a b.example", "character ' ' is not allowed"),
        ("*.example", "character '*' is not allowed"),
        ("", "empty"),
        ("x" * 64 + ".example", "a label is longer than 63 characters"),
    ],
)
def test_invalid_name_is_refused_naming_the_value(value: str, reason: str) -> None:
    rules = [block(RuleKind.HOST, "fine.example", 1), block(RuleKind.HOST, value, 2)]
    with pytest.raises(ValueError, match=r"^not a DNS name: ") as raised:
        write_zone(rules, io.StringIO(), META)
    assert isinstance(raised.value, ExportError)
    assert str(raised.value) == f"not a DNS name: {value!r}: {reason}"


@pytest.mark.parametrize("kind", [RuleKind.HOST, RuleKind.DOMAIN])
def test_names_must_fit_under_the_origin_with_a_wildcard_label(kind: RuleKind) -> None:
    room = 253 - len("rpz.vigil.example") - 1
    fits = ".".join(["a" * 60] * 3) + "." + "b" * (room - 183 - 2)  # "*." needs two more
    assert len(fits) == room - 2
    write_zone([block(kind, fits, 1)], io.StringIO(), META)
    with pytest.raises(ExportError, match=f"{len(fits) + 1} characters, more than the {room - 2}"):
        write_zone([block(kind, "c" + fits, 1)], io.StringIO(), META)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (block(RuleKind.IP, "192.0.2.300", 1), "not an IP address: '192.0.2.300' in a ip rule"),
        (block(RuleKind.IP, "192.0.2.0/24", 1), "not an IP address: '192.0.2.0/24' in a ip rule"),
        (block(RuleKind.CIDR, "2001:db8::/129", 1), "not a CIDR block: '2001:db8::/129' in a cidr rule"),
    ],
)
def test_invalid_address_is_refused_naming_the_value(rule: Rule, message: str) -> None:
    with pytest.raises(ExportError) as raised:
        write_zone([rule], io.StringIO(), META)
    assert str(raised.value) == message


def test_write_records_refuses_a_cname_beside_other_records() -> None:
    records = [
        RpzRecord("x.example", "CNAME", "."),
        RpzRecord("x.example", "CNAME", "rpz-passthru."),
    ]
    with pytest.raises(ExportError, match=re.escape("owner 'x.example' has a CNAME and other records")):
        write_records(records, io.StringIO(), META)


def test_write_records_checks_owners_and_writes_records_without_comment() -> None:
    out = io.StringIO()
    write_records([RpzRecord("*.x.example", "CNAME", ".")], out, META)
    assert out.getvalue().endswith("@ NS ns2.vigil.example.\n*.x.example CNAME .\n")
    with pytest.raises(ExportError, match=re.escape("not an RPZ owner: 'x..example'")):
        write_records([RpzRecord("x..example", "CNAME", ".")], io.StringIO(), META)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"serial": 2**32}, "not a zone serial"),
        ({"generated_at": "2026-05-01T07:00:00+07:00"}, "not a UTC time"),
        ({"generated_at": "yesterday"}, "not an ISO 8601 time"),
        ({"policy": Policy.CNAME, "block_host": ""}, "Policy.CNAME needs block_host"),
        ({"origin": "rpz..example"}, "not a zone setting name: 'rpz..example'"),
        ({"comments": ("two\nlines",)}, "not a header line"),
        ({"ttl": -1}, "not a ttl in seconds"),
    ],
)
def test_export_settings_are_checked(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ExportError, match=message):
        samples.meta(**changes)


@pytest.mark.skipif(shutil.which("named-checkzone") is None, reason="BIND's named-checkzone is not installed")
def test_bind_loads_the_zone(tmp_path: Path) -> None:
    path = tmp_path / "rpz.zone"
    path.write_text(zone_text(samples.rules()))
    result = subprocess.run(
        ["named-checkzone", "-k", "fail", "-i", "full", "rpz.vigil.example", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded serial 2026050101" in result.stdout
