"""Syntax checks of blocklist rules, for :func:`vigil.lib.matcher.compile_snapshot`.

Cheap checks only: the Django side has already canonicalised every value, so these
catch a value that was not, before it can make the matcher's tables disagree with the
semantics of :mod:`vigil.lib.blocklist` (a name the walk would never reach, an
expression no canonical URL yields).

>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> rule = Rule(RuleKind.DOMAIN, "Evil.example", RuleAction.BLOCK, RuleRef(1, "x", "domain"))
>>> validate(rule)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: blocklist rule domain 'Evil.example': not a canonical host name (lower-case ASCII/punycode ...
"""

from __future__ import annotations

import ipaddress
import re

import idna

from vigil.lib.blocklist import Rule, RuleAction, RuleKind
from vigil.lib.ips import format_ipv6, looks_numeric

__all__ = ["validate"]

_NAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*")
# Canonical path and query characters: printable ASCII except '#', and '%' only as an
# escape (canonicalisation escapes space, controls, non-ASCII, '#' and '%').
_URL_TEXT = re.compile(r'(?:[!"$&-~]|%[0-9A-F]{2})*')


def _name_problem(name: str) -> str | None:
    if not _NAME.fullmatch(name) or len(name) > 253:
        return "not a canonical host name (lower-case ASCII/punycode labels of 1-63 characters)"
    if looks_numeric(name.rpartition(".")[2]):
        return "ends in a number, so it is an IPv4 address, not a name"
    if "xn--" in name:
        for label in name.split("."):
            if label.startswith("xn--"):
                try:
                    idna.ulabel(label)
                except (idna.IDNAError, UnicodeError):
                    return f"invalid punycode label {label!r}"
    return None


def _ip_problem(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return "not an IP address"
    canonical = format_ipv6(address) if isinstance(address, ipaddress.IPv6Address) else str(address)
    return None if canonical == text else f"not canonical (expected {canonical!r})"


def _host_problem(host: str) -> str | None:
    """A URL host: a name, a dotted-quad IPv4 address or a bracketed IPv6 address."""
    if host.startswith("[") and host.endswith("]"):
        return _ip_problem(host[1:-1]) if ":" in host else "not an IPv6 address"
    if host and host.rpartition(".")[2].isdigit():
        return _ip_problem(host)
    return _name_problem(host)


def _expression_problem(kind: RuleKind, value: str) -> str | None:
    host, slash, rest = value.partition("/")
    if not slash:
        return "a URL expression is host/path (no scheme), and this has no '/'"
    problem = _host_problem(host)
    if problem is not None:
        return f"host {host!r}: {problem}"
    path, question, query = rest.partition("?")
    path = "/" + path
    if not _URL_TEXT.fullmatch(path) or not _URL_TEXT.fullmatch(query):
        return "path or query has characters a canonical URL escapes"
    if "//" in path or "/./" in path or "/../" in path or path.endswith(("/.", "/..")):
        return "path is not normalised ('//', '.' or '..' segments)"
    if kind is RuleKind.URL_PREFIX and (question or not path.endswith("/")):
        return "a URL prefix is host/path/ (ending in '/', no query)"
    return None


def _problem(rule: Rule) -> str | None:
    kind, value = rule.kind, rule.value
    if kind is RuleKind.EXACT_URL or kind is RuleKind.URL_PREFIX:
        return _expression_problem(kind, value)
    if kind is RuleKind.HOST:
        return _host_problem(value)
    if kind is RuleKind.DOMAIN:
        return _name_problem(value)
    if kind is RuleKind.IP:
        return _ip_problem(value)
    address, slash, _ = value.partition("/")
    if not slash or _ip_problem(address) is not None:
        return "a CIDR block is address/prefix-length"
    try:
        network = ipaddress.ip_network(value)
    except ValueError as exc:
        return f"not a canonical CIDR block ({exc})"
    canonical = f"{address}/{network.prefixlen}"
    return None if canonical == value else f"not canonical (expected {canonical!r})"


def validate(rule: Rule) -> None:
    """Raise ValueError, naming the rule and the problem, unless its value is canonical for its kind."""
    if not isinstance(rule.kind, RuleKind) or not isinstance(rule.action, RuleAction):
        raise ValueError(f"blocklist rule {rule.value!r}: unknown kind or action")
    problem = _problem(rule)
    if problem is not None:
        raise ValueError(f"blocklist rule {rule.kind.value} {rule.value!r}: {problem}")
