"""Reading blocklists in the formats feeds come in: plain, hosts, RPZ and CSV (pure Python).

Each non-comment line yields one :class:`ListEntry` (a URL, domain or IP, normalised) or
one :class:`ListError` naming the line and the reason; nothing is silently dropped.

>>> text = "# feed\\n0.0.0.0 evil.example.com\\nhxxp://phish[.]example.net/login\\n10.0.0.1\\nnot a domain\\n"
>>> for item in parse_list(text.splitlines()):
...     print(item)
ListEntry(line=2, kind='domain', value='evil.example.com')
ListEntry(line=3, kind='url', value='http://phish.example.net/login')
ListEntry(line=4, kind='ip', value='10.0.0.1')
ListError(line=5, message="not a URL, domain or IP address: 'not a domain'")
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from vigil.lib.errors import IndicatorError
from vigil.lib.extract import refang
from vigil.lib.indicators import IndicatorType, normalise

__all__ = ["ListEntry", "ListError", "detect_format", "parse_list"]

_HOSTS_ADDRESSES = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1", "::0"})  # noqa: S104 - hosts-file sinks
_RPZ_LINE = re.compile(r"^(?P<owner>\S+)\s+(?:\d+\s+)?(?:IN\s+)?CNAME\s+(?P<target>\S+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One value read from a list."""

    line: int
    kind: str  # url | domain | ip | cidr
    value: str


@dataclass(frozen=True, slots=True)
class ListError:
    """A line that could not be read, and why."""

    line: int
    message: str


def detect_format(lines: list[str]) -> str:
    """Guess ``plain``, ``hosts``, ``rpz`` or ``csv`` from the first meaningful lines.

    >>> detect_format(["$TTL 60", "@ SOA a. b. 1 2 3 4 5", "evil.example CNAME ."])
    'rpz'
    >>> detect_format(["0.0.0.0 evil.example"]), detect_format(["url,category", "http://x.example/,phishing"])
    ('hosts', 'csv')
    """
    sample = [
        line.strip() for line in lines[:50] if line.strip() and not line.lstrip().startswith(("#", ";", "!"))
    ]
    if any(line.startswith(("$TTL", "$ORIGIN")) or _RPZ_LINE.match(line) for line in sample):
        return "rpz"
    if sample and "," in sample[0] and not sample[0].lower().startswith(("http://", "https://")):
        return "csv"
    if any(line.split()[0] in _HOSTS_ADDRESSES for line in sample if len(line.split()) >= 2):
        return "hosts"
    return "plain"


def _value_of(line: str, fmt: str) -> str | None:
    if fmt == "hosts":
        parts = line.split(" #", 1)[0].split()
        if len(parts) >= 2 and parts[0] in _HOSTS_ADDRESSES:
            return parts[1]
        fmt = "plain"
    if fmt == "rpz":
        if line.startswith(("$", "@")) or re.search(r"\s(SOA|NS)\s", line, re.IGNORECASE):
            return None
        match = _RPZ_LINE.match(line)
        if not match:
            return line.split()[0]
        owner = match.group("owner").rstrip(".")
        owner = owner[2:] if owner.startswith("*.") else owner
        if match.group("target").lower().rstrip(".") == "rpz-passthru":
            raise IndicatorError("a blocking RPZ record", f"{owner!r} is allow-listed (rpz-passthru)")
        if owner.lower().endswith(".rpz-ip"):
            raise IndicatorError("a name trigger", f"{owner!r} is an rpz-ip address trigger, not read here")
        return owner
    if fmt == "plain":
        return line.split(" #", 1)[0].strip()  # a trailing " # comment" is not part of the value
    return line


def _classify(value: str) -> tuple[str, str]:
    value = refang(value.strip())
    order = (
        (IndicatorType.URL,) if "/" in value else (IndicatorType.IP, IndicatorType.CIDR, IndicatorType.DOMAIN)
    )
    for kind in order:
        try:
            return str(kind), normalise(kind, value).value
        except IndicatorError:
            continue
    raise IndicatorError("a URL, domain or IP address", repr(value))


def parse_list(
    lines: Iterable[str], fmt: str | None = None, csv_column: int = 0
) -> Iterator[ListEntry | ListError]:
    """Read ``lines`` (any iterable of text lines) in ``fmt`` (detected when None)."""
    buffered = list(lines)
    fmt = fmt or detect_format(buffered)
    rows: Iterable[tuple[int, str]]
    if fmt == "csv":
        reader = csv.reader(buffered)
        rows = (
            (number, row[csv_column] if len(row) > csv_column else "") for number, row in enumerate(reader, 1)
        )
    else:
        rows = enumerate(buffered, 1)
    seen_header = False
    for number, raw in rows:
        line = raw.strip()
        if not line or line.startswith(("#", ";", "!")):
            continue
        try:
            value = _value_of(line, fmt)
            if value is None:
                continue
            kind, normalised = _classify(value)
        except IndicatorError as exc:
            if fmt == "csv" and not seen_header:
                seen_header = True  # a header row such as "url,category"
                continue
            yield ListError(number, str(exc))
            continue
        seen_header = True
        yield ListEntry(number, kind, normalised)
