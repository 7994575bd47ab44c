"""URI DNS blocklists for mail filters: a URIBL zone and an rspamd multimap file.

The zone answers ``<name>.<zone> A 127.0.0.2`` for every blocked host or domain, with a
``TXT`` record giving the reason — the lookups rspamd's ``rbl`` module and SpamAssassin's
``urirhssub`` make. A DOMAIN rule also gets ``*.<name>``, so every name below it is listed.
It contains the RFC 5782 test entry ``test``.

Wildcards follow DNS rules (RFC 4592): ``*.d`` answers only for names below ``d`` that do
not exist in the zone, so names below a DOMAIN rule are spelled out as a tree
(:class:`~vigil.lib.exports.zonefile.NameTree`). An allow-listed name below a listed domain
gets a TXT-only entry, so the A lookup finds no data there instead of the domain's wildcard.

The rspamd file lists the blocked names one a line: it is matched exactly, so it carries
no wildcards; the zone covers the names below a DOMAIN rule.

>>> import io
>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> block = RuleRef(12, "phishing", "registrable_domain")
>>> allow = RuleRef(None, "cdn", "allowlist", source="allowlist")
>>> rules = [Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, block),
...          Rule(RuleKind.HOST, "ok.evil.example", RuleAction.ALLOW, allow)]
>>> out = io.StringIO()
>>> write_uribl(rules, out, ExportMeta("uribl.vigil.example", 1, "2026-05-01T00:00:00Z")).written
3
>>> print(out.getvalue().split("@ NS localhost.\\n")[1], end="")
evil.example A 127.0.0.2
evil.example TXT "decision=12 category=phishing"
*.evil.example A 127.0.0.2
*.evil.example TXT "decision=12 category=phishing"
ok.evil.example TXT "allowed source=allowlist category=cdn"
*.ok.evil.example A 127.0.0.2
*.ok.evil.example TXT "decision=12 category=phishing"
test A 127.0.0.2
test TXT "RFC 5782 test entry"
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from vigil.lib.blocklist import Rule, RuleAction, RuleRef
from vigil.lib.exports.hostsfile import blocked_names
from vigil.lib.exports.registry import (
    ADDRESS_KINDS,
    URL_KINDS,
    Exporter,
    ExportMeta,
    ExportStats,
    SkipReason,
    exporters,
    header,
    parents,
    rule_set,
    write_chunks,
)
from vigil.lib.exports.rpz import comment_for
from vigil.lib.exports.zonefile import NameTree, check_rule_names, zone_preamble

__all__ = ["RspamdExporter", "UriblExporter", "txt_rdata", "write_rspamd", "write_uribl"]

LISTED = "127.0.0.2"  # RFC 5782: the usual "listed" answer
TEST_NAME = "test"  # RFC 5782 §5: a name-based list must list TEST
_TEST_ENTRY = f'{TEST_NAME} A {LISTED}\n{TEST_NAME} TXT "RFC 5782 test entry"\n'


def txt_rdata(text: str) -> str:
    """``text`` as TXT record data: quoted, escaped, split into 255-octet strings.

    >>> txt_rdata('category=say "hi"')
    '"category=say \\\\"hi\\\\""'
    >>> txt_rdata("basis=Điều 290")
    '"basis=\\\\196\\\\144i\\\\225\\\\187\\\\129u 290"'
    """
    if len(text) <= 255 and text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    data = text.encode()
    strings = [data[start : start + 255] for start in range(0, len(data), 255)] or [b""]
    return " ".join('"' + "".join(map(_escape_octet, chunk)) + '"' for chunk in strings)


def _escape_octet(octet: int) -> str:
    if octet in (0x22, 0x5C):  # " and \
        return "\\" + chr(octet)
    return chr(octet) if 0x20 <= octet < 0x7F else f"\\{octet:03d}"


def _listed(owner: str, ref: RuleRef) -> str:
    return f"{owner} A {LISTED}\n{owner} TXT {txt_rdata(comment_for(ref))}\n"


def _blocks(rule: Rule | None) -> bool:
    return rule is not None and rule.action is RuleAction.BLOCK


def _entries(tree: NameTree) -> tuple[list[tuple[str, str]], int, int]:
    """(name, lines) for every name with records, the number of A records, and of block rules overridden."""
    nodes = set(tree.nodes)
    entries: list[tuple[str, str]] = []
    for name, rule in tree.block_host.items():
        if name not in nodes:
            entries.append((name, _listed(name, rule.ref)))
    for name, rule in tree.block_domain.items():
        if name not in nodes:
            entries.append((name, _listed(name, rule.ref) + _listed(f"*.{name}", rule.ref)))
    listed = len(entries) + sum(name not in nodes for name in tree.block_domain)
    overridden = 0
    for name in tree.nodes:
        deciding, below = tree.at(name), tree.below(name)
        lines = ""
        if deciding is not None and deciding.action is RuleAction.BLOCK:
            lines += _listed(name, deciding.ref)
            listed += 1
        elif deciding is not None:  # allowed: stop a listed parent's wildcard from answering here
            parent = next(parents(name), None)
            if parent is not None and _blocks(tree.below(parent)):
                lines += f"{name} TXT {txt_rdata('allowed ' + comment_for(deciding.ref))}\n"
        if below is not None and below.action is RuleAction.BLOCK:
            lines += _listed(f"*.{name}", below.ref)
            listed += 1
        overridden += tree.overridden(name)
        if lines:
            entries.append((name, lines))
    entries.sort(key=operator.itemgetter(0))
    return entries, listed, overridden


def write_uribl(rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write the URIBL zone: blocked names ``A 127.0.0.2`` with a reason in ``TXT``."""
    ruleset = rule_set(rules)
    check_rule_names(ruleset, meta)
    tree = NameTree(ruleset)
    entries, listed, overridden = _entries(tree)
    if TEST_NAME not in {name for name, _ in entries}:
        entries.append((TEST_NAME, _TEST_ENTRY))
    skipped: Counter[SkipReason] = Counter()
    skipped[SkipReason.URL_RULE] = ruleset.count(*URL_KINDS)
    skipped[SkipReason.ADDRESS_RULE] = ruleset.count(*ADDRESS_KINDS)
    skipped[SkipReason.ALLOW_RULE] = len(tree.allow_host) + len(tree.allow_domain)
    skipped[SkipReason.ALLOWED] = overridden
    skipped[SkipReason.DUPLICATE] = ruleset.duplicates
    stats = ExportStats.of(ruleset.read, listed, "listed names", skipped)
    notes = [
        f"query <name>.{meta.zone} A: {LISTED} means listed, TXT gives the reason",
        "a DOMAIN rule lists its name and, by wildcard, every name below it",
        f"'{TEST_NAME}' is the RFC 5782 test entry; allow-listed names below a listed domain have TXT only",
    ]
    out.write(zone_preamble(meta, stats, what=f"URI DNS blocklist {meta.zone}", notes=notes))
    write_chunks(out, [lines for _, lines in entries])
    return stats


def write_rspamd(rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write an rspamd multimap file: blocked host names and domains, one a line."""
    names, stats = blocked_names(rules)
    notes = [
        'rspamd multimap (e.g. type = "url"): each line is matched as a whole name',
        "names below a DOMAIN rule are not listed here; the URIBL zone covers them by wildcard",
    ]
    out.write(header(meta, stats, prefix="#", what="rspamd multimap of blocked names", notes=notes))
    write_chunks(out, [f"{name}\n" for name in names])
    return stats


@exporters.register
class UriblExporter(Exporter):
    """URI DNS blocklist zone, queried by rspamd's rbl module and SpamAssassin's urirhssub."""

    name = "uribl"
    media_type = "text/dns"
    extension = "zone"
    description = "URI DNS blocklist zone for rspamd and SpamAssassin"

    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write the URIBL zone."""
        return write_uribl(rules, out, meta)


@exporters.register
class RspamdExporter(Exporter):
    """rspamd multimap file of blocked names."""

    name = "rspamd"
    media_type = "text/plain"
    extension = "map"
    description = "rspamd multimap file of blocked host names and domains"

    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write the multimap file."""
        return write_rspamd(rules, out, meta)
