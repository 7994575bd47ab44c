"""The blocklist matcher: compiled, immutable snapshots of rules and their verdicts.

:func:`compile_snapshot` turns :class:`~vigil.lib.blocklist.Rule` objects into a
:class:`Snapshot` that answers "is this URL blocked, and why?" with the semantics of
:mod:`vigil.lib.blocklist` (``vigil.lib.matcher_reference`` applies them literally; the
two must agree on every query). Snapshots are written to disk and reloaded by
:mod:`vigil.lib.snapshot`.

>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> ref = RuleRef(7, "phishing", "registrable_domain", "blhs-290")
>>> snapshot = compile_snapshot([
...     Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, ref),
...     Rule(RuleKind.HOST, "ok.evil.example", RuleAction.ALLOW, RuleRef(None, "allow", "host")),
... ])
>>> verdict = snapshot.check("https://a.b.c.d.e.evil.example/login?x=1")
>>> verdict.status, verdict.matched, verdict.refs[0].decision_id
('blocked', ('evil.example',), 7)
>>> snapshot.check("ok.evil.example").status, snapshot.check("good.example").status
('allowed', 'none')

How a query is answered (the reasons for the one table below). On a 1.2 M-rule
table each dict look-up is a few cache misses, which cost more than the Python around
it, so the design counts look-ups and random reads:

1. Host names are looked up by suffix, from the last two labels leftwards
   (``example.com``, ``shop.example.com``...), in one dict holding every rule name,
   every URL-rule host, and every suffix of two labels or more of those. The first
   absent suffix ends the walk, since no longer name can then be present: most misses
   cost one look-up. (A top-level label is filed only when a rule names one, and then
   the walk starts there.)
2. The usual rule, one DOMAIN block with nothing filed below it, is stored as its ref
   alone: a hit on it is the verdict, with no second look-up and no per-rule table.
   Its value is the name just looked up, and refs are shared by all rules of a
   decision, so a rule costs its name and a dict slot (about 120 bytes at 1.2 M).
3. URL rules sit in a small path table per host; Safe Browsing's look-up paths are
   built only when the walk meets such a host, and looked up without building the
   expression strings.
4. Verdicts are ordered by :func:`rule_order`; a miss returns the shared :data:`NONE`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
from vigil.lib.gcpause import gc_paused
from vigil.lib.matcher_validation import validate
from vigil.lib.urls import CanonicalUrl, canonicalise_url

__all__ = [
    "NONE",
    "VERDICT_CACHE_SIZE",
    "Snapshot",
    "Verdict",
    "check_target",
    "compile_snapshot",
    "ref_fields",
    "rule_order",
]

_KINDS: tuple[RuleKind, ...] = tuple(RuleKind)
_KIND_NUMBER = {kind: number for number, kind in enumerate(_KINDS)}
_URL_KINDS = frozenset({RuleKind.EXACT_URL, RuleKind.URL_PREFIX})
_DOMAIN = _KIND_NUMBER[RuleKind.DOMAIN]
_IP = _KIND_NUMBER[RuleKind.IP]
_EXACT_URL = _KIND_NUMBER[RuleKind.EXACT_URL]
_URL_PREFIX = _KIND_NUMBER[RuleKind.URL_PREFIX]

# What the tables file under a key (see the module doc):
#   _PASS      (names only) a suffix of deeper names, nothing of its own;
#   a RuleRef  one BLOCK rule: in ``names`` of kind DOMAIN, and a leaf (nothing is
#              filed under any name below it, so the walk stops there); in a path table
#              of the kind its value's shape says (URL_PREFIX for host/path/, else
#              EXACT_URL). The usual case, stored as the (shared) ref alone;
#   a tuple    anything else: ``(paths, *entries)`` in ``names``, ``entries`` in a path
#              table. An entry is ``(kind number << 1 | is_allow, ref)``; its value is
#              the key (without brackets for an IPv6 IP rule), or host + path. ``paths``
#              is None, or the path table of the URL rules with this host:
#              ``{"/path?query": node}``, small dicts looked up without building the
#              whole expression.
_PASS = -1
_NAME_END = "abcdefghijklmnopqrstuvwxyz-_"  # how a name can end: an IP host ends in a digit or ']'
_GSB_HOST_LABELS = 5  # Safe Browsing tries host suffixes of at most five labels
# Verdicts kept per generation of a snapshot's cache (see Snapshot._cached): at most twice
# this many, a few hundred bytes each (about 30 bytes a rule at 1.2 M rules).
VERDICT_CACHE_SIZE = 1 << 16

Entry = tuple[int, RuleRef]
Hit = tuple[int, bool, str, RuleRef]  # kind number, is_allow, value, ref

_HASH_FORMAT = b"vigil-blocklist-rules-v1\x1e"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the blocklist says about one URL, and which rules said it.

    ``refs[i]`` is the reason for ``matched[i]``; both are in :func:`rule_order`.
    A blocked verdict lists every matching BLOCK rule, an allowed one every matching
    ALLOW rule (allow wins), and ``none`` lists nothing.
    """

    status: Literal["blocked", "allowed", "none"]
    refs: tuple[RuleRef, ...] = ()
    matched: tuple[str, ...] = ()

    @property
    def blocked(self) -> bool:
        """Whether the URL must be blocked."""
        return self.status == "blocked"


NONE = Verdict("none")

# The generated __init__ of a frozen dataclass stores each field through
# object.__setattr__, which is most of the cost of a hit; the fast path stores them
# straight into the slots instead (same object, same immutability afterwards).
_new_verdict = object.__new__
_set_status = vars(Verdict)["status"].__set__
_set_refs = vars(Verdict)["refs"].__set__
_set_matched = vars(Verdict)["matched"].__set__


def rule_order(rule: Rule) -> tuple[Any, ...]:
    """Sort key of rules and of a verdict's refs: by decision id, then kind and value.

    Every field takes part, so distinct rules never tie and the order is total.

    >>> ref = RuleRef(3, "phishing", "host")
    >>> rules = [Rule(RuleKind.HOST, "b.example", RuleAction.BLOCK, ref),
    ...          Rule(RuleKind.DOMAIN, "z.example", RuleAction.BLOCK, RuleRef(1, "scam", "domain")),
    ...          Rule(RuleKind.HOST, "a.example", RuleAction.BLOCK, ref)]
    >>> [rule.value for rule in sorted(rules, key=rule_order)]
    ['z.example', 'a.example', 'b.example']
    """
    return _order_key(_KIND_NUMBER[rule.kind], rule.action is RuleAction.ALLOW, rule.value, rule.ref)


def _order_key(kind: int, allow: bool, value: str, ref: RuleRef) -> tuple[Any, ...]:
    rest = [(field is None, "" if field is None else field) for field in _ref_tail(ref)]
    return (ref.decision_id is None, ref.decision_id or 0, kind, value, allow, rest)


def _hit_order(hit: Hit) -> tuple[Any, ...]:
    return _order_key(*hit)


def _hit_order_head(hit: Hit) -> tuple[Any, ...]:
    """The start of :func:`_hit_order`, cheap to build; distinct rules seldom tie on it."""
    kind, allow, value, ref = hit
    return (ref.decision_id is None, ref.decision_id or 0, kind, value, allow)


def _sort_hits(hits: list[Hit]) -> None:
    # Sorting by a prefix of the key gives the same order when the prefix never ties.
    if len(hits) == 2:  # the usual case (a domain and a URL), without sort's machinery
        first, second = map(_hit_order_head, hits)
        if first > second:
            hits.reverse()
        if first != second:
            return
    heads = list(map(_hit_order_head, hits))
    hits.sort(key=_hit_order_head if len(set(heads)) == len(heads) else _hit_order)


def ref_fields(ref: RuleRef) -> tuple[Any, ...]:
    """A ref's fields in declaration order: ``RuleRef(*ref_fields(ref)) == ref``."""
    return tuple(_ref_all(ref))


_REF_FIELDS = tuple(item.name for item in fields(RuleRef))
_ref_all = operator.attrgetter(*_REF_FIELDS)
# Every field but decision_id (which leads the sort key), as a tuple.
_ref_tail = operator.attrgetter(*(name for name in _REF_FIELDS if name != "decision_id"))


# --- compiling --------------------------------------------------------------------------


def _ip_key(rule: Rule) -> str:
    """The URL-host spelling of an IP rule: IPv6 hosts are bracketed in URLs."""
    return f"[{rule.value}]" if ":" in rule.value else rule.value


def _is_ip_host(host: str) -> bool:
    return host.endswith("]") or host.rpartition(".")[2].isdigit()


def _url_kind(expression: str) -> int:
    """The kind a URL expression's shape suggests: host/path/ is a prefix."""
    return _URL_PREFIX if expression[-1] == "/" and "?" not in expression else _EXACT_URL


def _entry(rule: Rule) -> Entry:
    return (_KIND_NUMBER[rule.kind] << 1 | (rule.action is RuleAction.ALLOW), rule.ref)


def _content_hash(rules: Sequence[Rule]) -> str:
    digest = hashlib.sha256(_HASH_FORMAT)
    for rule in rules:
        text = [rule.kind, rule.value, rule.action]
        text += ["\x00" if value is None else str(value) for value in ref_fields(rule.ref)]
        digest.update("\x1f".join(text).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()[:20]


def _path_node(expression: str, here: list[Rule]) -> Any:
    only = here[0]
    if (
        len(here) == 1
        and _KIND_NUMBER[only.kind] == _url_kind(expression)
        and only.action is RuleAction.BLOCK
    ):
        return only.ref
    return tuple(map(_entry, here))


def _name_table(rules: Sequence[Rule]) -> dict[str, Any]:
    """Name/host/IP rules and URL rules by name, plus every suffix of each name."""
    at: dict[str, list[Rule]] = {}
    url_rules: dict[str, dict[str, list[Rule]]] = {}  # dicts keep their order: reproducible files
    for rule in rules:
        if rule.kind in _URL_KINDS:
            host, slash, path = rule.value.partition("/")
            url_rules.setdefault(host, {}).setdefault(slash + path, []).append(rule)
        elif rule.kind in (RuleKind.DOMAIN, RuleKind.HOST, RuleKind.IP):
            at.setdefault(_ip_key(rule) if rule.kind is RuleKind.IP else rule.value, []).append(rule)
    paths_of = {
        host: {path: _path_node(host + path, here) for path, here in paths.items()}
        for host, paths in url_rules.items()
    }
    # Every proper suffix of a name: those of two labels or more are filed (as _PASS
    # when nothing else) so that the walk can stop at the first absent one; a
    # top-level label is filed only when something is filed under it.
    parents: set[str] = set()
    for name in [*at, *paths_of]:
        if not _is_ip_host(name):  # IP hosts are looked up whole, never by suffix
            dot = name.find(".")
            while dot >= 0:
                parents.add(name[dot + 1 :])
                dot = name.find(".", dot + 1)
    table: dict[str, Any] = {}
    for name, here in at.items():
        paths = paths_of.get(name)
        only = here[0]
        if (
            len(here) == 1
            and paths is None
            and only.kind is RuleKind.DOMAIN
            and only.action is RuleAction.BLOCK
            and name not in parents
        ):
            table[name] = only.ref  # a leaf: the walk stops here
        else:
            table[name] = (paths, *map(_entry, here))
    for host, paths in paths_of.items():
        table.setdefault(host, (paths,))
    for name in parents:
        if "." in name:
            table.setdefault(name, _PASS)
    # Copying into a new dict sizes it for its final count (growth over-allocates).
    return dict(table)


def _cidr_tables(rules: Sequence[Rule]) -> list[tuple[int, int, dict[int, tuple[Any, ...]]]]:
    tables: dict[tuple[int, int], dict[int, list[tuple[int, RuleRef, str]]]] = {}
    for rule in rules:
        if rule.kind is RuleKind.CIDR:
            network = ipaddress.ip_network(rule.value)
            nets = tables.setdefault((network.version, network.prefixlen), {})
            key = int(network.network_address) >> (network.max_prefixlen - network.prefixlen)
            nets.setdefault(key, []).append((*_entry(rule), rule.value))
    return [
        (version, length, {net: tuple(entries) for net, entries in nets.items()})
        for (version, length), nets in sorted(tables.items(), key=lambda item: (item[0][0], -item[0][1]))
    ]


def compile_snapshot(rules: Iterable[Rule], *, generated_at: str | None = None) -> Snapshot:
    """Validate, deduplicate and index rules; raises ValueError for a malformed value.

    >>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
    >>> bad = Rule(RuleKind.URL_PREFIX, "evil.example/a", RuleAction.BLOCK, RuleRef(1, "x", "url"))
    >>> compile_snapshot([bad])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: blocklist rule url_prefix 'evil.example/a': a URL prefix is host/path/ (ending in '/', ...
    >>> len(compile_snapshot([])), compile_snapshot([]).check("example.com").status
    (0, 'none')
    """
    with gc_paused():
        return _compile(rules, generated_at)


def _compile(rules: Iterable[Rule], generated_at: str | None) -> Snapshot:
    unique = set(rules)
    for rule in unique:
        validate(rule)
    ordered = sorted(unique, key=rule_order)
    # One object per distinct ref, so that the tables share them.
    refs: dict[RuleRef, RuleRef] = {}
    ordered = [
        Rule(rule.kind, rule.value, rule.action, refs.setdefault(rule.ref, rule.ref)) for rule in ordered
    ]
    stats = {f"{kind.value}/{action.value}": 0 for kind in _KINDS for action in RuleAction}
    for rule in ordered:
        stats[f"{rule.kind.value}/{rule.action.value}"] += 1
    stats["total"] = len(ordered)
    names = _name_table(ordered)
    return Snapshot(
        SnapshotTables(
            version=_content_hash(ordered),
            generated_at=generated_at,
            names=names,
            cidrs=_cidr_tables(ordered),
            stats=stats,
            top_labels=any("." not in name and not name.startswith("[") for name in names),
        )
    )


@dataclass(frozen=True, slots=True)
class SnapshotTables:
    """The tables of a snapshot, what :mod:`vigil.lib.snapshot` writes and reads.

    ``names`` files rules by name, IP host and every suffix of a name, and URL rules
    in a path table per host; ``cidrs`` lists ``(ip version, prefix length, {network >> host
    bits: ((kind number << 1 | is_allow, ref, value), ...)})``, longest prefix first.
    What a key holds is described at ``_PASS`` in this module.
    """

    version: str
    generated_at: str | None
    names: dict[str, Any]
    cidrs: list[tuple[int, int, dict[int, tuple[Any, ...]]]]
    stats: dict[str, int]
    top_labels: bool  # whether ``names`` files anything under a one-label name


class Snapshot:
    """An immutable compiled blocklist; safe to share between threads.

    ``verdict_cache_size`` bounds the cache of verdicts built for hits (see
    :meth:`_cached`); it is a tuning knob, never a change in what is answered.
    """

    __slots__ = (
        "_cache",
        "_cache_old",
        "_cache_size",
        "_cidr4",
        "_cidr6",
        "_get",
        "_names",
        "_tables",
        "_usual_ends",
    )

    def __init__(self, tables: SnapshotTables, *, verdict_cache_size: int = VERDICT_CACHE_SIZE) -> None:
        self._tables = tables
        self._names = tables.names
        self._get = tables.names.get  # bound once: the hot path makes one attribute look-up, not two
        self._cidr4 = [(32 - length, nets) for version, length, nets in tables.cidrs if version == 4]
        self._cidr6 = [(128 - length, nets) for version, length, nets in tables.cidrs if version == 6]
        # The last characters of hosts the fast walk takes: letters and '-_' (a canonical name
        # ends in one, an IP host in a digit or ']'). None of them when a rule names a top-level
        # label, since the walk must then start at that label: every host goes to _match_rare.
        self._usual_ends = "" if tables.top_labels else _NAME_END
        self._cache: dict[Any, Verdict] = {}
        self._cache_old: dict[Any, Verdict] = {}
        self._cache_size = max(1, verdict_cache_size)

    def __len__(self) -> int:
        return self._tables.stats["total"]

    def __repr__(self) -> str:
        return f"<Snapshot {self.version} rules={len(self)}>"

    @property
    def version(self) -> str:
        """Content hash of the rules: the same rules always give the same version."""
        return self._tables.version

    @property
    def generated_at(self) -> str | None:
        """When the rules were exported (ISO 8601), as given to :func:`compile_snapshot`."""
        return self._tables.generated_at

    @property
    def tables(self) -> SnapshotTables:
        """The tables, for :mod:`vigil.lib.snapshot`."""
        return self._tables

    @property
    def stats(self) -> Mapping[str, int]:
        """Rule counts as ``{"<kind>/<action>": n}`` for every kind and action, and ``total``."""
        return dict(self._tables.stats)

    def rules(self) -> list[Rule]:
        """The rules, in :func:`rule_order`."""
        rules: list[Rule] = []
        for name, node in self._names.items():
            if type(node) is RuleRef:
                rules.append(Rule(RuleKind.DOMAIN, name, RuleAction.BLOCK, node))
            elif type(node) is tuple:
                rules += (_rule(code, name, ref) for code, ref in node[1:])
                for path, path_node in (node[0] or {}).items():
                    expression = name + path
                    if type(path_node) is RuleRef:
                        rules.append(
                            Rule(_KINDS[_url_kind(expression)], expression, RuleAction.BLOCK, path_node)
                        )
                    else:
                        rules += (_rule(code, expression, ref) for code, ref in path_node)
        for _, _, nets in self._tables.cidrs:
            rules += (_rule(code, value, ref) for entries in nets.values() for code, ref, value in entries)
        return sorted(rules, key=rule_order)

    def check(self, value: str) -> Verdict:
        """Verdict for a URL, a bare host or domain (as ``http://<host>/``) or an IP address.

        Raises :class:`~vigil.lib.errors.IndicatorError` (a ValueError) for anything else.
        """
        return self.match_canonical(check_target(value).url)

    def match_url(self, url: str | CanonicalUrl) -> Verdict:
        """Verdict for a URL, canonicalising it first when it is a string."""
        canonical = canonicalise_url(url) if isinstance(url, str) else url
        return self.match_canonical(canonical.url)

    def match_canonical(self, url: str) -> Verdict:
        """Verdict for an already canonical URL string (:attr:`CanonicalUrl.url`): the fast path.

        Anything else gives an unspecified verdict or a ValueError. The walk only notes
        which table entries match (the "parts" of the module doc); the verdict for them
        comes from the cache. Each Python operation here costs about as much as a dict
        look-up, so the usual cases are inline and the rest goes to the helpers below.
        """
        try:
            _, empty, host, tail = url.split("/", 3)  # "https:", "", host[:port], path without its "/"
        except ValueError:
            raise ValueError(f"not a canonical URL: {url!r}") from None
        if empty or not host:
            raise ValueError(f"not a canonical URL: {url!r}")
        # IP hosts end in a digit or ']', and so does a host with a port: all go to
        # _match_rare, which also takes every host when a top-level label has rules.
        if host[-1] not in self._usual_ends:
            return self._match_rare(host, tail)
        # The walk starts at the last two labels (see the module doc): most misses end
        # here, after one look-up. (One rsplit finds them faster than two rfinds.)
        labels = host.rsplit(".", 2)
        if len(labels) == 3:
            dot = len(labels[0])  # the dot before ``suffix``; -1 when it is the whole host
            suffix = host[dot + 1 :]
        elif len(labels) == 2:
            dot, suffix = -1, host
        else:
            return self._match_rare(host, tail)
        get = self._get
        node = get(suffix)
        if node is None:
            return NONE
        if type(node) is RuleRef:
            # The usual hit: one DOMAIN rule, a leaf. It covers every name below it and
            # nothing is filed below it, so it is the only part (as in the loop below).
            # (A Verdict is always true, so ``or`` only builds one on a cache miss.)
            return self._cache.get(suffix) or self._cached(suffix, [suffix])
        parts: list[Any] = []
        url_hosts: list[tuple[str, dict[str, Any]]] = []
        while True:
            if type(node) is RuleRef:  # a DOMAIN leaf: nothing is filed below it
                parts.append(suffix)
                break
            if type(node) is tuple:  # as _visit does, inline for the usual case
                if len(node) > 1:
                    parts.append(suffix if dot >= 0 else (suffix,))
                if node[0] is not None and (dot < 0 or host.count(".", dot + 1) < _GSB_HOST_LABELS):
                    url_hosts.append((suffix, node[0]))
            if dot < 0:
                break
            if "." in labels[0]:  # (labels[0] is what is left of the host before ``suffix``)
                labels[0], _, label = labels[0].rpartition(".")
                dot -= len(label) + 1
                suffix = host[dot + 1 :]
            else:  # the whole host is next: no search, no copy
                dot, suffix = -1, host
            node = get(suffix)
            if node is None:
                break  # no longer name can be in the table: each one's suffixes are
        if url_hosts:
            _path_parts(url_hosts, tail, parts)
        if not parts:
            return NONE
        key = parts[0] if len(parts) == 1 else tuple(parts)
        return self._cache.get(key) or self._cached(key, parts)

    def _match_rare(self, host: str, tail: str) -> Verdict:
        """IP hosts, hosts with a port, one-label hosts, names ending in a digit, top-level labels."""
        if ":" in host:  # a port, or an IPv6 address (with a port or not)
            bare = host[: host.find("]") + 1] if host[0] == "[" else host.partition(":")[0]
            if not bare:
                raise ValueError(f"not a canonical URL host: {host!r}")
            host = bare
        parts: list[Any] = []
        url_hosts: list[tuple[str, dict[str, Any]]] = []
        cidr_hits: list[Hit] = []
        get = self._get
        if _is_ip_host(host):
            node = get(host)
            if node is not None:
                _visit(node, host, -1, host, parts, url_hosts)
            tables = self._cidr6 if host[0] == "[" else self._cidr4
            if tables:
                address = int(ipaddress.ip_address(host.strip("[]")))
                for host_bits, nets in tables:
                    for code, ref, value in nets.get(address >> host_bits, ()):
                        cidr_hits.append((code >> 1, bool(code & 1), value, ref))
        else:
            # From the top-level label, which is in the table only when something is
            # filed under it, so its absence does not end the walk.
            dot = host.rfind(".")
            suffix = host[dot + 1 :]
            node = get(suffix)
            while True:
                if node is not None:
                    _visit(node, host, dot, suffix, parts, url_hosts)
                if dot < 0:
                    break
                dot = host.rfind(".", 0, dot)
                suffix = host[dot + 1 :]
                node = get(suffix)
                if node is None:
                    break
        if url_hosts:
            _path_parts(url_hosts, tail, parts)
        if cidr_hits:  # networks are not parts: build the verdict, uncached
            return _verdict(self._hits(parts) + cidr_hits)
        if not parts:
            return NONE
        key = parts[0] if len(parts) == 1 else tuple(parts)
        return self._cache.get(key) or self._cached(key, parts)

    def _cached(self, key: Any, parts: list[Any]) -> Verdict:
        """The verdict for ``parts`` (``key`` is them as one hashable), kept for the next query.

        The cache is two generations: hits go to ``_cache``; when it is full it becomes
        ``_cache_old`` (the previous old one is dropped) and a new ``_cache`` starts, and a
        key found in the old generation moves back into the new one. That is LRU-like
        (whatever was used within the last ``verdict_cache_size`` fillings survives),
        holds at most twice ``verdict_cache_size`` verdicts, and costs the hot path one
        dict look-up, with no bookkeeping on a cache hit. Threads may race here and lose
        an entry, never store a wrong one: a key always means the same verdict.
        """
        verdict = self._cache_old.get(key)
        if verdict is None:
            verdict = _verdict(self._hits(parts))
        cache = self._cache
        if len(cache) >= self._cache_size:
            self._cache_old = cache
            self._cache = cache = {}
        cache[key] = verdict
        return verdict

    def _hits(self, parts: list[Any]) -> list[Hit]:
        """The rules each part stands for (see "Parts" in the module doc), as hits."""
        names = self._names
        hits: list[Hit] = []
        for part in parts:
            if type(part) is tuple:  # the whole host: every rule filed under it
                value = part[0]
                for code, ref in names[value][1:]:
                    kind = code >> 1
                    hits.append((kind, bool(code & 1), value.strip("[]") if kind == _IP else value, ref))
            elif "/" in part:  # a Safe Browsing expression: host + look-up path
                host, _, path = part.partition("/")
                node = names[host][0]["/" + path]
                if type(node) is RuleRef:
                    hits.append((_url_kind(part), False, part, node))
                else:
                    hits += ((code >> 1, bool(code & 1), part, ref) for code, ref in node)
            else:  # a suffix of the host, not all of it: its DOMAIN rules
                node = names[part]
                if type(node) is RuleRef:
                    hits.append((_DOMAIN, False, part, node))
                else:
                    hits += (
                        (_DOMAIN, bool(code & 1), part, ref) for code, ref in node[1:] if code >> 1 == _DOMAIN
                    )
        return hits


def _rule(code: int, value: str, ref: RuleRef) -> Rule:
    kind = _KINDS[code >> 1]
    if kind is RuleKind.IP:
        value = value.strip("[]")
    return Rule(kind, value, RuleAction.ALLOW if code & 1 else RuleAction.BLOCK, ref)


def _visit(
    node: Any, host: str, dot: int, suffix: str, parts: list[Any], url_hosts: list[tuple[str, dict[str, Any]]]
) -> None:
    """Note what one name-table entry matches for ``suffix``, the part of ``host`` after ``dot`` (-1: all)."""
    if type(node) is RuleRef:
        parts.append(suffix)
        return
    if type(node) is not tuple:
        return  # _PASS
    whole = dot < 0
    if len(node) > 1:
        parts.append((suffix,) if whole else suffix)
    # Safe Browsing looks up the whole host and its suffixes of 2 to 5 labels.
    if node[0] is not None and (whole or 1 <= host.count(".", dot + 1) < _GSB_HOST_LABELS):
        url_hosts.append((suffix, node[0]))


def _path_parts(url_hosts: list[tuple[str, dict[str, Any]]], tail: str, parts: list[Any]) -> None:
    """Add the expression of each URL rule look-up that finds something, for each host.

    ``tail`` is the URL after the slash that ends its host. The look-up paths are those
    of :func:`vigil.lib.urls.lookup_expressions`: the path with its query, the path, and
    the directory prefixes ``/``, ``/a/``... of the first three components that are not
    the path itself. Each is distinct, so no rule comes twice. (Built once per URL with
    one split; on Python 3.11 str.find with a start costs as much as a split.)
    """
    path, _, query = tail.partition("?")  # the path without its leading "/"
    lookups = ["/" + tail, "/" + path] if query else ["/" + path]
    if path:
        lookups.append("/")
        directories = path.split("/", 3)  # up to three directories, then the rest
        if not directories.pop():  # the last one is the path itself (it ends in "/")
            directories.pop()
        prefix = "/"
        for directory in directories:
            prefix = f"{prefix}{directory}/"
            lookups.append(prefix)
    for host, paths in url_hosts:
        # One C-level pass over the look-ups (a dict view & a list is a set of the keys
        # found), where a Python loop would cost a dict look-up's time again per look-up.
        # Usually empty; the order found does not matter (the verdict sorts its rules).
        for lookup in paths.keys() & lookups:
            parts.append(host + lookup)


def _verdict(hits: list[Hit]) -> Verdict:
    if not hits:
        return NONE
    chosen_refs: tuple[RuleRef, ...]
    matched: tuple[str, ...]
    if len(hits) == 1:
        _, allow, value, ref = hits[0]
        chosen_refs, matched = (ref,), (value,)
    else:
        allowed = [hit for hit in hits if hit[1]]
        chosen = allowed or hits
        allow = bool(allowed)
        if len(chosen) > 1:
            _sort_hits(chosen)
        chosen_refs, matched = tuple([hit[3] for hit in chosen]), tuple([hit[2] for hit in chosen])
    verdict = _new_verdict(Verdict)
    _set_status(verdict, "allowed" if allow else "blocked")
    _set_refs(verdict, chosen_refs)
    _set_matched(verdict, matched)
    return verdict


def check_target(value: str) -> CanonicalUrl:
    """The URL :meth:`Snapshot.check` looks up: bare hosts and IPs become ``http://<host>/``.

    >>> check_target("2001:DB8::1").url, check_target("Evil.Example").url
    ('http://[2001:db8::1]/', 'http://evil.example/')
    """
    text = value.strip()
    if ":" in text and "/" not in text and not text.startswith("["):
        try:
            ipaddress.IPv6Address(text)
        except ValueError:
            pass
        else:
            text = f"[{text}]"
    return canonicalise_url(text)
