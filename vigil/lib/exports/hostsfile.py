"""Lists for hosts files and browser content blockers.

* hosts: ``0.0.0.0 <name>`` for every blocked HOST and DOMAIN rule that no allow rule
  matches. A hosts file cannot express wildcards, so a DOMAIN rule blocks its own name only;
  the header says so.
* Adblock (Adblock Plus 2.0 syntax, read by uBlock Origin and AdGuard too): ``||name^`` for
  HOST and DOMAIN rules, ``|http://host/path|`` and ``|https://host/path|`` for an exact
  URL, ``||host/path/`` for a URL prefix, and the same with ``@@`` for allow rules, which
  win over block filters in every blocker. Address rules are left to the IP lists.

>>> import io
>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> ref = RuleRef(12, "phishing", "exact_url")
>>> rules = [Rule(RuleKind.EXACT_URL, "evil.example/login?x=1", RuleAction.BLOCK, ref),
...          Rule(RuleKind.DOMAIN, "bank.example", RuleAction.ALLOW, RuleRef(None, "bank", "allowlist"))]
>>> out = io.StringIO()
>>> write_adblock(rules, out, ExportMeta("vigil.example", 1, "2026-05-01T00:00:00Z")).written
3
>>> print(*[line for line in out.getvalue().splitlines() if line[0] not in "![" ], sep="\\n")
|http://evil.example/login?x=1|
|https://evil.example/login?x=1|
@@||bank.example^
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from vigil.lib.blocklist import Rule, RuleAction, RuleKind
from vigil.lib.exports.registry import (
    ADDRESS_KINDS,
    MAX_NAME,
    NAME_KINDS,
    URL_KINDS,
    Exporter,
    ExportError,
    ExportMeta,
    ExportStats,
    RuleSet,
    SkipReason,
    check_names,
    exporters,
    header,
    names_within,
    rule_set,
    write_chunks,
)

__all__ = ["AdblockExporter", "HostsExporter", "blocked_names", "write_adblock", "write_hosts"]

# Unroutable, so a blocked name fails at once (127.0.0.1 would reach any local web server).
BLOCK_ADDRESS = "0.0.0.0"  # noqa: S104 - an answer in a hosts file, not an address to bind
# "$" starts filter options and "#" cosmetic filters; canonical URLs escape "#" anyway.
_ADBLOCK_SPECIAL = ("$", "#")


def blocked_names(rules: Iterable[Rule]) -> tuple[list[str], ExportStats]:
    """Names of HOST and DOMAIN block rules that no allow rule matches, in order, each once.

    For formats that list names without wildcards or exceptions (hosts files, rspamd maps):
    a DOMAIN rule contributes its own name only; allow, URL and address rules are left out.
    The stats count the names and what was left out.
    """
    ruleset = rule_set(rules)
    for kind in NAME_KINDS:
        check_names(ruleset.values[kind], max_length=MAX_NAME)
    names, skipped = _blocked_names(ruleset)
    skipped[SkipReason.URL_RULE] = ruleset.count(*URL_KINDS)
    skipped[SkipReason.ADDRESS_RULE] = ruleset.count(*ADDRESS_KINDS)
    skipped[SkipReason.DUPLICATE] += ruleset.duplicates
    return names, ExportStats.of(ruleset.read, len(names), "names", skipped)


def _blocked_names(rules: RuleSet) -> tuple[list[str], Counter[SkipReason]]:
    allowed_hosts = {rule.value for rule in rules.allowed[RuleKind.HOST]}
    allowed_domains = {rule.value for rule in rules.allowed[RuleKind.DOMAIN]}
    covered = names_within([value for kind in NAME_KINDS for value in rules.values[kind]], allowed_domains)
    skipped: Counter[SkipReason] = Counter()
    names: list[str] = []
    seen: set[str] = set()
    for kind in NAME_KINDS:
        for rule in rules.rules[kind]:
            if rule.action is RuleAction.ALLOW:
                skipped[SkipReason.ALLOW_RULE] += 1
            elif rule.value in covered or rule.value in allowed_hosts:
                skipped[SkipReason.ALLOWED] += 1
            elif rule.value in seen:
                skipped[SkipReason.DUPLICATE] += 1
            else:
                seen.add(rule.value)
                names.append(rule.value)
    return names, skipped


def write_hosts(rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write a hosts file: ``0.0.0.0 <name>`` for each blocked name."""
    names, stats = blocked_names(rules)
    notes = [
        "hosts files cannot express wildcards: a DOMAIN rule blocks only its own name here, not the",
        "names below it (use the RPZ zone or the Adblock list for those); allow rules are left out",
    ]
    out.write(header(meta, stats, prefix="#", what="hosts file", notes=notes))
    write_chunks(out, [f"{BLOCK_ADDRESS} {name}\n" for name in names])
    return stats


def _check_url(rule: Rule) -> None:
    value = rule.value
    if not value or not value.isascii() or not value.isprintable() or " " in value or "/" not in value:
        raise ExportError(
            "a URL expression", f"{value!r} in a {rule.kind} rule (host/path, ASCII, no spaces)"
        )


def _adblock_filters(rule: Rule) -> list[str]:
    prefix = "@@" if rule.action is RuleAction.ALLOW else ""
    if rule.kind == RuleKind.EXACT_URL:
        return [f"{prefix}|http://{rule.value}|", f"{prefix}|https://{rule.value}|"]
    if rule.kind == RuleKind.URL_PREFIX:
        return [f"{prefix}||{rule.value}"]
    return [f"{prefix}||{rule.value}^"]


def write_adblock(rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write an Adblock Plus 2.0 filter list: block filters and ``@@`` exceptions."""
    ruleset = rule_set(rules)
    for kind in NAME_KINDS:
        check_names(ruleset.values[kind], max_length=MAX_NAME)
    skipped: Counter[SkipReason] = Counter()
    skipped[SkipReason.ADDRESS_RULE] = ruleset.count(*ADDRESS_KINDS)
    skipped[SkipReason.DUPLICATE] = ruleset.duplicates
    lines: list[str] = []
    seen: set[str] = set()
    for kind in (*URL_KINDS, *NAME_KINDS):
        for rule in ruleset.rules[kind]:
            if kind in URL_KINDS:
                _check_url(rule)
                if any(special in rule.value for special in _ADBLOCK_SPECIAL):
                    skipped[SkipReason.UNSUPPORTED] += 1
                    continue
            filters = [line for line in _adblock_filters(rule) if line not in seen]
            if not filters:
                skipped[SkipReason.DUPLICATE] += 1
            seen.update(filters)
            lines += [f"{line}\n" for line in filters]
    stats = ExportStats.of(ruleset.read, len(lines), "filters", skipped)
    out.write(f"[Adblock Plus 2.0]\n! Title: {meta.title}\n! Version: {meta.serial}\n")
    out.write(f"! Last modified: {meta.generated_at}\n")
    notes = ["an exact URL is blocked over http and https; @@ exceptions (the allow-list) win over blocks"]
    out.write(header(meta, stats, prefix="!", what="Adblock filter list", notes=notes))
    write_chunks(out, lines)
    return stats


@exporters.register
class HostsExporter(Exporter):
    """hosts file of blocked names."""

    name = "hosts"
    media_type = "text/plain"
    extension = "txt"
    description = "hosts file (0.0.0.0 name) of blocked host names and domains"

    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write the hosts file."""
        return write_hosts(rules, out, meta)


@exporters.register
class AdblockExporter(Exporter):
    """Adblock Plus 2.0 filter list."""

    name = "adblock"
    media_type = "text/plain"
    extension = "txt"
    description = "Adblock Plus filter list for browser content blockers"

    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write the filter list."""
        return write_adblock(rules, out, meta)
