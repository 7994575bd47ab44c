"""What every blocklist exporter takes and returns, the steps they share, and their registry.

Every exporter has one signature, ``write(rules, out, meta) -> ExportStats``, and writes
deterministic, diffable text: rules sorted by (kind order, value), one entry a line, a
header naming the generator, serial, generation time and counts, and nothing else that
depends on time. The steps every format needs live here so that all apply them alike:

* :func:`rule_set` sorts the rules and keeps one per (kind, value) — allow wins a tie;
* :func:`check_names` validates host and domain values cheaply, in bulk;
* :func:`names_within` and :class:`AllowNetworks` find what lies inside allowed domains
  and blocks (an ``ALLOW`` rule that matches wins over every ``BLOCK`` rule);
* :func:`header` and :func:`write_chunks` write the header and the body.

Exporters are plugin classes with a stable lower-snake ``name``; each module registers its
own with :meth:`ExporterRegistry.register`, and :data:`exporters` imports the built-in
modules on first use (or at start-up through :meth:`ExporterRegistry.load`):

>>> exporters.names()
('adblock', 'cidr', 'hosts', 'nftables', 'rpz', 'rspamd', 'uribl')
>>> rpz = exporters.get("rpz")
>>> rpz.media_type, rpz.extension
('text/dns', 'zone')
"""

from __future__ import annotations

import abc
import bisect
import enum
import importlib
import ipaddress
import operator
import re
import socket
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import compress, islice, repeat
from typing import ClassVar, TextIO, TypeVar

from vigil.lib.blocklist import Rule, RuleAction, RuleKind
from vigil.lib.errors import IndicatorError
from vigil.lib.exports.rpz import Policy

__all__ = [
    "AllowNetworks",
    "ExportError",
    "ExportMeta",
    "ExportStats",
    "Exporter",
    "ExporterRegistry",
    "RuleSet",
    "SkipReason",
    "SortedRules",
    "check_joined_names",
    "check_names",
    "exporters",
    "header",
    "names_within",
    "rule_network",
    "rule_set",
    "sort_rules",
    "write_chunks",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

NAME_KINDS = (RuleKind.HOST, RuleKind.DOMAIN)
ADDRESS_KINDS = (RuleKind.IP, RuleKind.CIDR)
URL_KINDS = (RuleKind.EXACT_URL, RuleKind.URL_PREFIX)
MAX_NAME = 253  # characters of a name written without its final dot (255 octets on the wire)
MAX_LABEL = 63

_EXPORTER_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Rule values are canonical: lower-case ASCII (IDNs in their xn-- form). Underscores occur
# in real abuse hosts and DNS carries them, as vigil.lib.domains accepts them.
_NOT_NAME_CHAR = re.compile(r"[^a-z0-9_.\n-]")
_NAME_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789_.-\n"
_NAME_BYTES_BUT_NEWLINE = _NAME_BYTES.replace(b"\n", b"")
_LABEL_BYTES = _NAME_BYTES_BUT_NEWLINE.replace(b".", b"")
_LABELS_AS_X = bytes.maketrans(_LABEL_BYTES + b"\n", b"x" * len(_LABEL_BYTES) + b".")  # and newlines as dots
_NAMES_AS_X = bytes.maketrans(_LABEL_BYTES + b".", b"x" * (len(_LABEL_BYTES) + 1))
_CHUNK = 65536  # lines joined per write


class ExportError(IndicatorError):
    """A rule or a setting that an export cannot write: the message names the value.

    >>> str(ExportError("a DNS name", "'bad..example': empty label"))
    "not a DNS name: 'bad..example': empty label"
    """


class SkipReason(enum.StrEnum):
    """Why an export left a rule (or one of its entries) out."""

    URL_RULE = "url_rule"  # rules: DNS, IP and hosts formats see no paths
    NAME_RULE = "name_rule"  # rules: IP lists take addresses only
    ADDRESS_RULE = "address_rule"  # rules: name lists take names only
    ALLOW_RULE = "allow_rule"  # rules: formats without exceptions list no allow rules
    ALLOWED = "allowed"  # entries: a block entry an allow rule overrides
    DUPLICATE = "duplicate"  # rules or entries: the same entry is already written
    UNSUPPORTED = "unsupported"  # rules: a value the format cannot express


@dataclass(frozen=True, slots=True)
class ExportMeta:
    """What an export says about itself: zone origin and SOA, serial, time, policy, header."""

    origin: str  # the zone's name (RPZ and URIBL); other formats name it in the header only
    serial: int
    generated_at: str  # ISO 8601, UTC
    ttl: int = 300
    policy: Policy = Policy.NXDOMAIN
    block_host: str = ""  # the block page's host, for Policy.CNAME
    nameservers: tuple[str, ...] = ("localhost",)  # the first is the SOA MNAME
    hostmaster: str = ""  # SOA RNAME as a name; default hostmaster.<origin>
    refresh: int = 3600
    retry: int = 600
    expire: int = 864000
    minimum: int = 60  # negative-caching TTL
    title: str = "Vigil blocklist"
    comments: tuple[str, ...] = ()  # extra header lines (attribution, contact)
    generator: str = "vigil"

    def __post_init__(self) -> None:
        for name in (self.origin, *self.nameservers, self.hostmaster, self.block_host):
            if name:
                check_names([name.rstrip(".")], max_length=MAX_NAME, what="a zone setting name")
        if not self.origin or not self.nameservers:
            raise ExportError("a complete export setting", "origin and nameservers are required")
        if not 0 <= self.serial < 2**32:
            raise ExportError("a zone serial", f"{self.serial!r} is outside 0 … 2**32 - 1")
        for field_name in ("ttl", "refresh", "retry", "expire", "minimum"):
            value = getattr(self, field_name)
            if not 0 <= value < 2**31:
                raise ExportError(f"a {field_name} in seconds", f"{value!r} is outside 0 … 2**31 - 1")
        if self.policy == Policy.CNAME and not self.block_host:
            raise ExportError("a complete export setting", "Policy.CNAME needs block_host")
        try:
            moment = datetime.fromisoformat(self.generated_at)
        except ValueError:
            raise ExportError("an ISO 8601 time", repr(self.generated_at)) from None
        if moment.utcoffset() != timedelta(0):
            raise ExportError("a UTC time", f"{self.generated_at!r} has no +00:00 or Z offset")
        for line in (self.title, self.generator, *self.comments):
            if not line.isprintable():
                raise ExportError("a header line", f"{line!r} has a line break or control character")

    @property
    def zone(self) -> str:
        """The origin as an absolute name."""
        return absolute(self.origin)

    @property
    def soa_rname(self) -> str:
        """The SOA RNAME (the hostmaster's mailbox as a name), absolute."""
        return absolute(self.hostmaster or f"hostmaster.{self.origin.rstrip('.')}")


@dataclass(frozen=True, slots=True)
class ExportStats:
    """What an export wrote: rules read, entries written, and what it left out and why."""

    rules: int | None  # None when the export was given records, not rules
    written: int
    unit: str = "entries"  # what one entry is: records, lines, elements
    skipped: tuple[tuple[SkipReason, int], ...] = ()  # sorted by reason, counts > 0

    @classmethod
    def of(cls, rules: int | None, written: int, unit: str, skipped: Counter[SkipReason]) -> ExportStats:
        """Stats with the non-zero skip counts in a stable order."""
        return cls(rules, written, unit, tuple(sorted((r, n) for r, n in skipped.items() if n)))

    def skipped_for(self, reason: SkipReason) -> int:
        """How many were skipped for ``reason``."""
        return dict(self.skipped).get(reason, 0)

    @property
    def skipped_total(self) -> int:
        """How many were skipped in all."""
        return sum(count for _, count in self.skipped)

    def summary(self) -> str:
        """One header line with the counts.

        >>> ExportStats.of(5, 7, "records", Counter({SkipReason.URL_RULE: 1})).summary()
        'rules: 5, written: 7 records, skipped: url_rule=1'
        """
        skipped = " ".join(f"{reason}={count}" for reason, count in self.skipped) or "none"
        read = "" if self.rules is None else f"rules: {self.rules}, "
        return f"{read}written: {self.written} {self.unit}, skipped: {skipped}"


class Exporter(abc.ABC):
    """One blocklist format: a stable ``name``, its media type and file extension, and ``write``."""

    name: ClassVar[str]
    media_type: ClassVar[str]
    extension: ClassVar[str]
    description: ClassVar[str]
    time_limit_s: ClassVar[int] = 300  # a 1M-rule export takes seconds; anything near this is stuck

    @abc.abstractmethod
    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write ``rules`` to ``out`` in this format."""


E = TypeVar("E", bound=type[Exporter])


class ExporterRegistry:
    """Exporter classes by name; a second class under a taken name is refused."""

    def __init__(self, modules: Sequence[str] = ()) -> None:
        self._modules = tuple(modules)
        self._loaded = not self._modules
        self._classes: dict[str, type[Exporter]] = {}

    def register(self, cls: E) -> E:
        """Class decorator: add ``cls`` under its ``name``."""
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not _EXPORTER_NAME.fullmatch(name):
            raise ValueError(f"exporter {cls.__qualname__} needs a lower_snake name, not {name!r}")
        taken = self._classes.get(name)
        if taken is not None:
            raise ValueError(f"exporter name {name!r} is taken by {taken.__module__}.{taken.__qualname__}")
        self._classes[name] = cls
        return cls

    def load(self) -> None:
        """Import the modules that register the built-in exporters (an import error fails loudly)."""
        if not self._loaded:
            for module in self._modules:
                importlib.import_module(module)
            self._loaded = True

    def get(self, name: str) -> Exporter:
        """An instance of the exporter called ``name``."""
        self.load()
        try:
            return self._classes[name]()
        except KeyError:
            raise KeyError(f"no exporter named {name!r}; known: {', '.join(self.names())}") from None

    def names(self) -> tuple[str, ...]:
        """The registered names, sorted."""
        self.load()
        return tuple(sorted(self._classes))

    def __iter__(self) -> Iterator[type[Exporter]]:
        self.load()
        return iter([self._classes[name] for name in self.names()])


exporters = ExporterRegistry(
    modules=(
        "vigil.lib.exports.zonefile",
        "vigil.lib.exports.iplists",
        "vigil.lib.exports.uribl",
        "vigil.lib.exports.hostsfile",
    )
)


# --- Rules, sorted and de-duplicated ---------------------------------------------------------


@dataclass(slots=True)
class RuleSet:
    """Rules by kind, each list sorted by value (addresses numerically), one rule per value."""

    rules: dict[RuleKind, list[Rule]]
    values: dict[RuleKind, list[str]]  # the rules' values, same order
    networks: dict[RuleKind, list[Network]]  # IP and CIDR rules' networks, same order
    allowed: dict[RuleKind, list[Rule]]  # the ALLOW rules among them, in no particular order
    read: int
    duplicates: int

    def count(self, *kinds: RuleKind) -> int:
        """How many rules of these kinds there are."""
        return sum(len(self.rules[kind]) for kind in kinds)


@dataclass(frozen=True, slots=True)
class SortedRules:
    """Rules by kind, each list sorted by value with its duplicates still in: see :func:`sort_rules`."""

    given: list[Rule]  # every rule, in the order given
    rules: dict[RuleKind, list[Rule]]
    values: dict[RuleKind, list[str]]  # the rules' values, same order

    def one_per_value(self, kind: RuleKind) -> tuple[list[Rule], list[str], int]:
        """The rules of ``kind``, one per value (:func:`rule_set`'s choice), their values, how many went."""
        rules, values = self.rules[kind], self.values[kind]
        if not any(map(operator.eq, values, islice(values, 1, None))):
            return rules, values, 0
        return _one_per_key(rules, _VALUE)

    def one_per_address(self, kind: RuleKind) -> tuple[list[tuple[Network | None, Rule]], int]:
        """The IP or CIDR rules of ``kind`` in address order, one per network, with their networks.

        Of rules for one network the winner is :func:`rule_set`'s. Plain dotted-quad IPv4
        addresses (most IP rules) are ordered by number without :mod:`ipaddress`, which
        takes ten times longer, and come with None for a network. Raises
        :class:`ExportError` as :meth:`networks` does.
        """
        bucket = self.rules[kind]
        plain = list(map(bool, map(_IPV4.fullmatch, self.values[kind]))) if kind is RuleKind.IP else []
        quads = list(compress(bucket, plain))
        rest = list(compress(bucket, map(operator.not_, plain))) if plain else bucket
        try:
            networks = list(map(rule_network, rest))
        except ExportError:
            self.networks(kind)  # raises for the first malformed value in the order given
            raise
        numbered = sorted(((_quad_number(rule.value), rule) for rule in quads), key=_FIRST)
        numbered, _, dropped_quads = _one_per_key(numbered, _FIRST)
        pairs = sorted(zip(networks, rest, strict=True), key=_network_key)
        pairs, _, dropped = _one_per_key(pairs, _FIRST)
        found: list[tuple[Network | None, Rule]] = [(None, rule) for _, rule in numbered]
        return found + pairs, dropped_quads + dropped

    def networks(self, kind: RuleKind) -> list[Network]:
        """The networks of the IP or CIDR rules of ``kind``, in order.

        Raises :class:`ExportError` for the first malformed value in the order the rules were
        given, blocks before allows, as :func:`rule_set` always has.
        """
        try:
            return list(map(rule_network, self.rules[kind]))
        except ExportError:
            for action_is_allow in (False, True):
                for rule in self.given:
                    if rule.kind is kind and (rule.action is RuleAction.ALLOW) is action_is_allow:
                        rule_network(rule)
            raise


def sort_rules(rules: Iterable[Rule]) -> SortedRules:
    """``rules`` by kind, each kind sorted by value, duplicates kept.

    One sort by value for all kinds, then one pass that files each rule under its kind (the
    sort is stable, so each kind stays in value order). Kinds are told apart by identity:
    hashing an enum member runs Python code, and a pass that does so per rule costs as much
    as the sort.
    """
    given = list(rules)
    ordered = sorted(given, key=_VALUE)
    by_kind: dict[RuleKind, list[Rule]] = {kind: [] for kind in RuleKind}
    values: dict[RuleKind, list[str]] = {kind: [] for kind in RuleKind}
    add_domain, add_domain_value = by_kind[RuleKind.DOMAIN].append, values[RuleKind.DOMAIN].append
    add_host, add_host_value = by_kind[RuleKind.HOST].append, values[RuleKind.HOST].append
    domain, host = RuleKind.DOMAIN, RuleKind.HOST
    others: list[Rule] = []
    add_other = others.append
    for rule in ordered:
        kind = rule.kind
        if kind is domain:
            add_domain(rule)
            add_domain_value(rule.value)
        elif kind is host:
            add_host(rule)
            add_host_value(rule.value)
        else:
            add_other(rule)
    for rule in others:  # addresses and URLs: far fewer
        by_kind[rule.kind].append(rule)
        values[rule.kind].append(rule.value)
    return SortedRules(given, by_kind, values)


def rule_set(rules: Iterable[Rule]) -> RuleSet:
    """Sort ``rules`` by (kind order, value) and keep one rule per (kind, value).

    Of rules with the same kind and value the ``ALLOW`` one wins, then the smallest
    reference, so the result never depends on the input order.
    """
    by_kind = sort_rules(rules)
    buckets: dict[RuleKind, list[Rule]] = {}
    values: dict[RuleKind, list[str]] = {}
    networks: dict[RuleKind, list[Network]] = {}
    allowed: dict[RuleKind, list[Rule]] = {}
    duplicates = 0
    for kind in RuleKind:
        bucket = by_kind.rules[kind]
        allowed[kind] = list(compress(bucket, map(operator.is_, map(_ACTION, bucket), repeat(_ALLOW))))
        if kind in ADDRESS_KINDS:
            pairs, dropped = by_kind.one_per_address(kind)
            buckets[kind] = [rule for _, rule in pairs]
            networks[kind] = [network or rule_network(rule) for network, rule in pairs]
            values[kind] = [rule.value for rule in buckets[kind]]
        else:
            buckets[kind], values[kind], dropped = by_kind.one_per_value(kind)
        duplicates += dropped
    return RuleSet(buckets, values, networks, allowed, len(by_kind.given), duplicates)


T = TypeVar("T")
K = TypeVar("K")
_VALUE = operator.attrgetter("value")
_ACTION = operator.attrgetter("action")
_FIRST = operator.itemgetter(0)
_ALLOW = RuleAction.ALLOW
# A dotted quad as ipaddress accepts it (no leading zeros), which is then its canonical text.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")


def _quad_number(address: str) -> int:
    """A dotted quad that :data:`_IPV4` matched, as a number (``inet_aton`` agrees with it there)."""
    return int.from_bytes(socket.inet_aton(address))


def _one_per_key(items: list[T], key: Callable[[T], K]) -> tuple[list[T], list[K], int]:
    """Collapse runs of equal keys in a sorted list to their winner: the items, their keys, how many went."""
    keys = list(map(key, items))
    if not any(map(operator.eq, keys, islice(keys, 1, None))):
        return items, keys, 0
    kept: list[T] = []
    index = 0
    while index < len(items):
        end = index + 1
        while end < len(items) and keys[end] == keys[index]:
            end += 1
        kept.append(min(items[index:end], key=_tie_key))
        index = end
    return kept, list(map(key, kept)), len(items) - len(kept)


def _tie_key(item: object) -> tuple[bool, str]:
    rule = item[1] if isinstance(item, tuple) else item
    assert isinstance(rule, Rule)
    return rule.action != RuleAction.ALLOW, repr(rule.ref)


def rule_network(rule: Rule) -> Network:
    """The network of an IP or CIDR rule; raises :class:`ExportError` for a malformed value."""
    try:
        if rule.kind == RuleKind.IP and "/" not in rule.value:
            return ipaddress.ip_network(rule.value)
        if rule.kind == RuleKind.CIDR:
            return ipaddress.ip_network(rule.value, strict=False)
    except ValueError:
        pass
    what = "an IP address" if rule.kind == RuleKind.IP else "a CIDR block"
    raise ExportError(what, f"{rule.value!r} in a {rule.kind} rule")


def _network_key(pair: tuple[Network, Rule]) -> tuple[int, int, int]:
    network = pair[0]
    return network.version, int(network.network_address), network.prefixlen


# --- Names -----------------------------------------------------------------------------------


def check_names(values: Sequence[str], *, max_length: int = MAX_NAME, what: str = "a DNS name") -> None:
    """Raise :class:`ExportError` naming the first value that cannot be a DNS name here.

    Cheap checks over all values at once (C speed); only a failing batch is searched one
    by one for the culprit and the reason.

    >>> check_names(["evil.example", "xn--ngn-hng-gva4c.vn", "_dmarc.a-b.example"])
    >>> check_names(["evil.example", "Evil.example"])
    Traceback (most recent call last):
    ...
    vigil.lib.exports.registry.ExportError: not a DNS name: 'Evil.example': upper case (rule values ...
    """
    if values:
        check_joined_names(values, "\n".join(values), max_length=max_length, what=what)


def check_joined_names(values: Sequence[str], joined: str, *, max_length: int, what: str) -> None:
    """:func:`check_names` for ``values`` that the caller has already joined with newlines."""
    if _names_fit(values, joined, max_length) or _names_fit_slowly(values, joined, max_length):
        return
    for value in values:
        problem = _name_problem(value, max_length)
        if problem:
            raise ExportError(what, f"{value!r}: {problem}")
    raise AssertionError("fast checks failed, slow checks passed")  # pragma: no cover


def _names_fit(values: Sequence[str], joined: str, max_length: int) -> bool:
    """Whether every value is a DNS name of at most ``max_length`` characters, read off the text.

    Byte translations of the text stand in for per-value work: deleting the name characters
    but the newline must leave exactly the newlines the join put in (no other character, no
    value with a newline of its own); with label characters read as ``x`` and newlines as
    dots, an empty label or value shows as ``..`` or a dot at either end and a label that is
    too long as a run of ``x``; with dots read as ``x`` too, so does a name that is too long.
    """
    if not joined.isascii():
        return False
    data = joined.encode("ascii")
    if len(data.translate(None, _NAME_BYTES_BUT_NEWLINE)) != len(values) - 1:
        return False
    labels = data.translate(_LABELS_AS_X)
    if not labels or b".." in labels or labels[:1] == b"." or labels[-1:] == b".":
        return False
    if b"x" * (MAX_LABEL + 1) in labels:
        return False
    return b"x" * (max_length + 1) not in data.translate(_NAMES_AS_X)


def _names_fit_slowly(values: Sequence[str], joined: str, max_length: int) -> bool:
    """The checks :func:`_names_fit` makes, one by one (it refuses a few odd values, such as
    one holding a newline, that these let through to the search for a culprit)."""
    return (
        joined.isascii()
        and not joined.encode("ascii").translate(None, _NAME_BYTES)  # nothing left but name characters
        and ".." not in joined
        and "\n." not in joined
        and ".\n" not in joined
        and not joined.startswith(".")
        and not joined.endswith(".")
        and min(map(len, values)) > 0
        and max(map(len, values)) <= max_length
        and all(map(_labels_fit, compress(values, map(MAX_LABEL.__lt__, map(len, values)))))
    )


def _labels_fit(name: str) -> bool:
    return all(len(label) <= MAX_LABEL for label in name.split("."))


def _name_problem(name: str, max_length: int) -> str:
    if not name:
        return "empty"
    if not name.isascii():
        return "not ASCII (write internationalised names in their xn-- form)"
    if name != name.lower():
        return "upper case (rule values are canonical lower case)"
    bad = _NOT_NAME_CHAR.search(name)
    if bad:
        return f"character {bad.group()!r} is not allowed"
    if name.startswith(".") or name.endswith(".") or ".." in name:
        return "empty label"
    if not _labels_fit(name):
        return f"a label is longer than {MAX_LABEL} characters"
    if len(name) > max_length:
        return f"{len(name)} characters, more than the {max_length} that fit here"
    return ""


def absolute(name: str) -> str:
    """``name`` with exactly one final dot."""
    return name.rstrip(".") + "."


def parents(name: str) -> Iterator[str]:
    """The proper ancestors of ``name``, nearest first.

    >>> list(parents("a.b.example"))
    ['b.example', 'example']
    """
    dot = name.find(".")
    while dot >= 0:
        name = name[dot + 1 :]
        yield name
        dot = name.find(".")


# --- What the allow-list overrides ------------------------------------------------------------


def names_within(names: Sequence[str], domains: Iterable[str]) -> set[str]:
    """The ``names`` (valid DNS names) that are one of ``domains`` or lie below one.

    One regular-expression pass over all names, each reversed so that "ends with the
    domain" becomes "starts with it"; the domains form a trie, so the cost hardly grows
    with their number. A walk up each name's labels costs ten times more.

    >>> sorted(names_within(["bank.vn", "x.bank.vn", "xbank.vn", "a.b.gov.vn", "gov.vn.evil.example"],
    ...                     {"bank.vn", "gov.vn"}))
    ['a.b.gov.vn', 'bank.vn', 'x.bank.vn']
    """
    trie = _trie_pattern(domain[::-1] for domain in domains)
    if not trie or not names:
        return set()
    pattern = re.compile("\n" + trie + "(?=[.\n])")
    text = ("\n" + "\n".join(names) + "\n")[::-1]
    found: set[str] = set()
    for match in pattern.finditer(text):
        start = match.start() + 1
        found.add(text[start : text.index("\n", start)][::-1])
    return found


_Trie = dict[str, "_Trie"]


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching exactly ``words``, factored into a trie.

    >>> _trie_pattern(["com", "net", "comx", "co"])
    '(?:co(?:m(?:x)?)?|net)'
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def branches(node: _Trie) -> str:
        alternatives = [re.escape(char) + branches(child) for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return branches(trie)


class AllowNetworks:
    """The allow-listed addresses and blocks, for subtracting from or overriding block entries."""

    def __init__(self, networks: Iterable[Network]) -> None:
        given = list(networks)
        v4: list[Network] = [*ipaddress.collapse_addresses(n for n in given if n.version == 4)]
        v6: list[Network] = [*ipaddress.collapse_addresses(n for n in given if n.version == 6)]
        self._networks = {4: v4, 6: v6}
        self._starts = {v: [int(n.network_address) for n in nets] for v, nets in self._networks.items()}

    @classmethod
    def of(cls, rules: RuleSet) -> AllowNetworks:
        """The ``ALLOW`` IP and CIDR rules of ``rules``."""
        return cls(rule_network(rule) for kind in ADDRESS_KINDS for rule in rules.allowed[kind])

    def __bool__(self) -> bool:
        return any(self._networks.values())

    def covers(self, network: Network) -> bool:
        """An allowed block contains all of ``network``."""
        nets, starts = self._networks[network.version], self._starts[network.version]
        index = bisect.bisect_right(starts, int(network.network_address)) - 1
        return index >= 0 and network.subnet_of(nets[index])  # type: ignore[arg-type]

    def subtract(self, network: Network) -> list[Network]:
        """What remains of ``network`` once every allowed address is taken out."""
        if self.covers(network):
            return []
        nets, starts = self._networks[network.version], self._starts[network.version]
        low = bisect.bisect_left(starts, int(network.network_address))
        high = bisect.bisect_right(starts, int(network.broadcast_address))
        pieces = [network]
        # Collapsed allowed blocks that start inside ``network`` lie inside it (CIDR blocks nest
        # or are disjoint), and each lies inside exactly one piece left by the previous ones.
        for allowed in nets[low:high]:
            pieces = [
                part
                for piece in pieces
                for part in (piece.address_exclude(allowed) if allowed.subnet_of(piece) else [piece])  # type: ignore[arg-type]
            ]
        return pieces


# --- Output ----------------------------------------------------------------------------------


def header(meta: ExportMeta, stats: ExportStats, *, prefix: str, what: str, notes: Sequence[str] = ()) -> str:
    """The header: what this is, generator, serial, generation time, counts, notes, comments."""
    lines = [
        f"{meta.title}: {what}",
        f"generator: {meta.generator}",
        f"serial: {meta.serial}",
        f"generated: {meta.generated_at}",
        stats.summary(),
        *notes,
        *meta.comments,
    ]
    return "".join(f"{prefix} {line}\n" if line else f"{prefix}\n" for line in lines)


def write_chunks(out: TextIO, lines: Sequence[str]) -> None:
    """Write ``lines`` (each ending in a newline) in large joined chunks."""
    for start in range(0, len(lines), _CHUNK):
        out.write("".join(lines[start : start + _CHUNK]))


def printable(text: str) -> str:
    """``text`` with line breaks and other control characters replaced by spaces."""
    return text if text.isprintable() else "".join(ch if ch.isprintable() else " " for ch in text)
