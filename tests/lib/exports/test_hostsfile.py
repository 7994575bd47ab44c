"""hosts file and Adblock list."""

from __future__ import annotations

import io
import re

import pytest

from tests.lib.exports import samples
from tests.lib.exports.samples import allow, block
from vigil.lib.blocklist import Rule, RuleKind
from vigil.lib.exports.hostsfile import write_adblock, write_hosts
from vigil.lib.exports.registry import ExportError, SkipReason

META = samples.meta("vigil.example")


def entries(writer: object, rules: list[Rule], comment: str) -> list[str]:
    out = io.StringIO()
    writer(rules, out, META)  # type: ignore[operator]
    return [line for line in out.getvalue().splitlines() if not line.startswith(comment)]


def test_hosts_lists_blocked_names_without_wildcards_and_says_so() -> None:
    out = io.StringIO()
    stats = write_hosts(samples.rules(), out, META)
    assert "hosts files cannot express wildcards" in out.getvalue()
    assert [line for line in out.getvalue().splitlines() if not line.startswith("#")] == [
        "0.0.0.0 login.shared-host.example",
        "0.0.0.0 m.vcb-xacminh.example",
        "0.0.0.0 free-hosting.example",
        "0.0.0.0 tenant.shared-host.example",
        "0.0.0.0 vcb-xacminh.example",
        f"0.0.0.0 {samples.IDN_DOMAIN}",
    ]
    assert dict(stats.skipped)[SkipReason.ALLOWED] == 1  # otp.vietcombank.com.vn


def test_hosts_leaves_out_names_an_allow_rule_matches() -> None:
    rules = [
        block(RuleKind.DOMAIN, "platform.example", 1),
        allow(RuleKind.HOST, "platform.example"),
        block(RuleKind.HOST, "a.bank.example", 2),
        allow(RuleKind.DOMAIN, "bank.example"),
        block(RuleKind.HOST, "x.example", 3),
        block(RuleKind.DOMAIN, "x.example", 4),
    ]
    assert entries(write_hosts, rules, "#") == ["0.0.0.0 x.example"]


def test_adblock_syntax_for_every_kind_and_action() -> None:
    rules = [
        block(RuleKind.EXACT_URL, "evil.example/a/b.html?x=1", 1),
        block(RuleKind.URL_PREFIX, "sites.example/scam/", 2),
        block(RuleKind.HOST, "login.example", 3),
        block(RuleKind.DOMAIN, "evil.example", 4),
        allow(RuleKind.DOMAIN, "bank.example"),
        allow(RuleKind.URL_PREFIX, "sites.example/scam/help/"),
        block(RuleKind.IP, "192.0.2.1", 5),
    ]
    assert entries(write_adblock, rules, "!")[1:] == [
        "|http://evil.example/a/b.html?x=1|",
        "|https://evil.example/a/b.html?x=1|",
        "||sites.example/scam/",
        "@@||sites.example/scam/help/",
        "||login.example^",
        "@@||bank.example^",
        "||evil.example^",
    ]


def test_adblock_starts_with_its_version_line_and_metadata() -> None:
    lines = entries(write_adblock, [], "#")
    assert lines[:4] == [
        "[Adblock Plus 2.0]",
        "! Title: Vigil blocklist",
        "! Version: 2026050101",
        "! Last modified: 2026-05-01T00:00:00Z",
    ]
    assert all(line.startswith("!") for line in lines[1:])


def test_adblock_skips_urls_with_option_or_cosmetic_characters() -> None:
    out = io.StringIO()
    stats = write_adblock(samples.rules(), out, META)
    assert "checkout$ref" not in out.getvalue()
    assert stats.skipped_for(SkipReason.UNSUPPORTED) == 1
    assert stats.skipped_for(SkipReason.ADDRESS_RULE) == 7


def test_adblock_writes_a_filter_once() -> None:
    rules = [block(RuleKind.HOST, "x.example", 1), block(RuleKind.DOMAIN, "x.example", 2)]
    out = io.StringIO()
    stats = write_adblock(rules, out, META)
    assert out.getvalue().count("||x.example^") == 1
    assert stats.skipped == ((SkipReason.DUPLICATE, 1),)


@pytest.mark.parametrize("value", ["evil.example/a b", "evil.example/ä", "no-path.example", ""])
def test_adblock_refuses_malformed_url_expressions_naming_them(value: str) -> None:
    with pytest.raises(
        ExportError, match="^" + re.escape(f"not a URL expression: {value!r} in a exact_url rule")
    ):
        write_adblock([block(RuleKind.EXACT_URL, value, 1)], io.StringIO(), META)


def test_hosts_refuses_invalid_names_naming_them() -> None:
    with pytest.raises(ValueError, match=re.escape("not a DNS name: 'bad_name..example': empty label")):
        write_hosts([block(RuleKind.DOMAIN, "bad_name..example", 1)], io.StringIO(), META)
