"""Publish RPZ policy to real DNS servers: a zone file and a reload, or RFC 2136 updates.

Two ways to get a changed blocklist into resolvers (``docs/dns/README.md`` shows tested
BIND and Unbound configurations for both):

* :class:`ZoneFilePublisher` writes the whole policy zone atomically and runs a reload
  command (``rndc reload ZONE``, ``unbound-control auth_zone_reload ZONE``, ...).
* :class:`DynamicUpdatePublisher` sends only the changes, as TSIG-signed RFC 2136
  UPDATE messages over TCP, to Vigil's publishing primary; the ISPs' resolvers are its
  secondaries and receive each change by IXFR after a NOTIFY.

BIND 9.18 rebuilds the summary of a whole policy zone after every change (2–3.5 s for a
1 M-record zone), so changes should travel in as few UPDATE messages as possible:
:class:`Coalescer` gathers change sets that arrive close together, and
:class:`TwoZonePublisher` sends new blocks to a small "recent" policy zone, listed
first in ``response-policy``, and folds it into the large zone now and then.

:func:`diff_records` turns two versions of the zone into changes; comments are not part
of a record's identity:

>>> old = [RpzRecord("a.example", "CNAME", "."), RpzRecord("b.example", "CNAME", ".", "decision=1")]
>>> new = [RpzRecord("b.example", "CNAME", ".", "decision=2"), RpzRecord("c.example", "CNAME", ".")]
>>> added, removed = diff_records(old, new)
>>> [r.owner for r in added], [r.owner for r in removed]
(['c.example'], ['a.example'])

Nothing here does I/O at import time, and no TSIG secret is ever logged or put in a
message: errors name the key, never its secret.
"""

from __future__ import annotations

import binascii
import logging
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update

from vigil.lib.exports.rpz import RpzRecord

__all__ = [
    "Coalescer",
    "DynamicUpdatePublisher",
    "PublishError",
    "PublishResult",
    "TwoZonePublisher",
    "ZoneFilePublisher",
    "diff_records",
]

log = logging.getLogger(__name__)

# Record types whose data is a domain name, hence compared without regard to case.
_NAME_TYPES = frozenset({"CNAME", "DNAME", "NS", "PTR"})
_MAX_TCP_MESSAGE = 65535


class PublishError(Exception):
    """A publication did not complete; ``detail`` is the server's or command's own words.

    ``applied`` counts the UPDATE messages the server had already accepted before the
    failure (updates are idempotent, so sending the whole change set again is safe).

    >>> str(PublishError("reload command failed (exit 1)", "rndc: 'reload' failed: not found"))
    "reload command failed (exit 1): rndc: 'reload' failed: not found"
    """

    def __init__(self, message: str, detail: str = "", applied: int = 0) -> None:
        # Every part stays in ``args`` so the error pickles (task queues) intact.
        super().__init__(message, detail, applied)
        self.message = message
        self.detail = detail
        self.applied = applied

    def __str__(self) -> str:
        return f"{self.message}: {self.detail}" if self.detail else self.message


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What one publication did."""

    added: int = 0  # records added (dynamic updates)
    removed: int = 0  # records removed (dynamic updates)
    messages: int = 0  # UPDATE messages the server accepted
    bytes_written: int = 0  # size of the zone file written (zone-file publication)
    seconds: float = 0.0
    output: str = ""  # the reload command's standard output


def _key(record: RpzRecord) -> tuple[str, str, str]:
    rtype = record.rtype.upper()
    rdata = record.rdata.lower() if rtype in _NAME_TYPES else record.rdata
    return record.owner.lower().rstrip("."), rtype, rdata


def diff_records(
    old: Iterable[RpzRecord], new: Iterable[RpzRecord]
) -> tuple[list[RpzRecord], list[RpzRecord]]:
    """The records to add and to remove to turn ``old`` into ``new``, each sorted.

    Identity is (owner, type, data), without regard to the case of names; comments do
    not count, so a record whose reason changed is neither added nor removed.
    """
    old_by_key = {_key(record): record for record in old}
    new_by_key = {_key(record): record for record in new}
    added = sorted(record for key, record in new_by_key.items() if key not in old_by_key)
    removed = sorted(record for key, record in old_by_key.items() if key not in new_by_key)
    return added, removed


# -- zone file + reload ----------------------------------------------------------------


class ZoneFilePublisher:
    """Writes a whole zone file atomically, then runs the server's reload command.

    The new file is written to a temporary file in the same directory, flushed to disk,
    optionally checked by ``check_command`` (``{path}`` in it stands for the temporary
    file, e.g. ``["named-checkzone", "rpz.vigil", "{path}"]``), and only then renamed over
    the old one, so the server never reads a half-written zone. If the reload command
    fails, :class:`PublishError` carries its standard error; the new, complete file stays
    in place, the server keeps answering from the zone it had loaded, and the next
    successful reload (or restart) picks the new file up.
    """

    name = "zone_file"

    def __init__(
        self,
        zone_path: str | os.PathLike[str],
        reload_command: Sequence[str],
        *,
        check_command: Sequence[str] | None = None,
        timeout: float = 60.0,
    ) -> None:
        if not reload_command:
            raise ValueError("reload_command must not be empty")
        self.zone_path = Path(zone_path)
        self.reload_command = tuple(reload_command)
        self.check_command = tuple(check_command) if check_command else None
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ZoneFilePublisher({str(self.zone_path)!r}, {list(self.reload_command)!r})"

    def publish(self, zone: str | bytes | Callable[[IO[str]], object]) -> PublishResult:
        """Replace the zone file with ``zone`` (text, or a callback writing to a text file) and reload."""
        start = time.monotonic()
        size = self._write(zone)
        output = self._run(self.reload_command, "reload command")
        log.info("published %s (%d bytes) and reloaded", self.zone_path, size)
        return PublishResult(bytes_written=size, seconds=time.monotonic() - start, output=output)

    def _write(self, zone: str | bytes | Callable[[IO[str]], object]) -> int:
        directory = self.zone_path.parent
        mode = self.zone_path.stat().st_mode & 0o777 if self.zone_path.exists() else 0o644
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, kept on success
            mode="w",
            encoding="utf-8",
            newline="\n",
            dir=directory,
            prefix=f".{self.zone_path.name}.",
            suffix=".tmp",
            delete=False,
        )
        temp = Path(handle.name)
        try:
            with handle:
                if isinstance(zone, bytes):
                    handle.write(zone.decode("utf-8"))
                elif isinstance(zone, str):
                    handle.write(zone)
                else:
                    zone(handle)
                handle.flush()
                os.fsync(handle.fileno())
            # The server often runs as another user (bind, unbound): keep the file readable.
            temp.chmod(mode)
            size = temp.stat().st_size
            if self.check_command:
                argv = [part.replace("{path}", str(temp)) for part in self.check_command]
                self._run(argv, "zone check")
            temp.replace(self.zone_path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_directory(directory)
        return size

    def _run(self, argv: Sequence[str], what: str) -> str:
        try:
            result = subprocess.run(  # noqa: S603 - an argv list from configuration, no shell
                list(argv), capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise PublishError(f"{what} timed out after {self.timeout:g} s", " ".join(argv)) from error
        except OSError as error:
            raise PublishError(f"{what} could not be started", f"{argv[0]}: {error.strerror}") from error
        if result.returncode != 0:
            detail = (result.stderr.strip() or result.stdout.strip() or "no output")[-2000:]
            raise PublishError(f"{what} failed (exit {result.returncode})", detail)
        return result.stdout


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; some file systems cannot, and that is not fatal.

    The new file is already in place: an error here must not skip the reload.
    """
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- RFC 2136 dynamic update -----------------------------------------------------------


class DynamicUpdatePublisher:
    """Sends changes as TSIG-signed RFC 2136 UPDATE messages over TCP to a primary.

    Owner names are relative to ``zone`` (as :func:`~vigil.lib.exports.rpz.rpz_records`
    yields them) and are made absolute under it. Changes are grouped by owner, removals
    before additions, and packed ``batch_size`` records to a message (a message that
    would exceed 64 KiB is split), because BIND rebuilds the policy summary of the whole
    zone once per accepted message. Adding a record that exists or removing one that
    does not is a no-op on the server, so a failed publication may simply be repeated.

    >>> publisher = DynamicUpdatePublisher("127.0.0.1", 53, "rpz.vigil", "vigil-update", "c2VjcmV0")
    >>> publisher
    DynamicUpdatePublisher(server='127.0.0.1', port=53, zone='rpz.vigil.', key='vigil-update')
    >>> [len(m.update) for m in publisher.messages([RpzRecord("evil.example", "CNAME", ".")], [])]
    [1]
    """

    name = "dynamic_update"

    def __init__(
        self,
        server: str,
        port: int,
        zone: str,
        tsig_key_name: str,
        tsig_secret: str,
        tsig_algorithm: str = "hmac-sha256",
        *,
        batch_size: int = 1000,
        ttl: int = 60,
        timeout: float = 10.0,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.server = server
        self.port = port
        self.origin = dns.name.from_text(zone)
        self.key_name = tsig_key_name
        self.algorithm = tsig_algorithm
        self.batch_size = batch_size
        self.ttl = ttl
        self.timeout = timeout
        try:
            # The keyring's repr shows the secret: it is never logged nor put in a message.
            self._keyring = dns.tsigkeyring.from_text({tsig_key_name: (tsig_algorithm, tsig_secret)})
        except (binascii.Error, ValueError) as error:
            raise ValueError(f"the secret of TSIG key {tsig_key_name!r} is not valid base64") from error

    def __repr__(self) -> str:
        return (
            f"DynamicUpdatePublisher(server={self.server!r}, port={self.port}, "
            f"zone={self.origin.to_text()!r}, key={self.key_name!r})"
        )

    @property
    def where(self) -> str:
        return f"{self.server}#{self.port}"

    def _new_message(self) -> dns.update.UpdateMessage:
        return dns.update.UpdateMessage(
            self.origin,
            keyring=self._keyring,
            keyname=dns.name.from_text(self.key_name),
            keyalgorithm=self.algorithm,
        )

    def _absolute(self, owner: str) -> dns.name.Name:
        return dns.name.from_text(owner, origin=self.origin)

    def _operations(
        self, added: Iterable[RpzRecord], removed: Iterable[RpzRecord]
    ) -> list[list[tuple[bool, RpzRecord]]]:
        """Changes grouped by owner (sorted), each group's removals first: (is_addition, record)."""
        groups: dict[str, list[tuple[bool, RpzRecord]]] = {}
        for record in removed:
            groups.setdefault(record.owner.lower(), []).append((False, record))
        for record in added:
            groups.setdefault(record.owner.lower(), []).append((True, record))
        return [sorted(groups[owner], key=lambda op: op[0]) for owner in sorted(groups)]

    def _message(self, operations: Sequence[tuple[bool, RpzRecord]]) -> dns.update.UpdateMessage:
        message = self._new_message()
        for is_addition, record in operations:
            try:
                if is_addition:
                    message.add(self._absolute(record.owner), self.ttl, record.rtype, record.rdata)
                else:
                    message.delete(self._absolute(record.owner), record.rtype, record.rdata)
            except dns.exception.DNSException as error:
                raise PublishError(
                    "not a valid record",
                    f"{record.owner} {record.rtype} {record.rdata}: {error}",
                ) from None
        return message

    def _batches(
        self, added: Iterable[RpzRecord], removed: Iterable[RpzRecord]
    ) -> list[list[tuple[bool, RpzRecord]]]:
        # An owner's removals and additions stay in one message, so a name whose policy
        # changes is never briefly without one.
        batches: list[list[tuple[bool, RpzRecord]]] = []
        current: list[tuple[bool, RpzRecord]] = []
        for group in self._operations(added, removed):
            if current and len(current) + len(group) > self.batch_size:
                batches.append(current)
                current = []
            current.extend(group)
        if current:
            batches.append(current)
        return batches

    def messages(
        self, added: Iterable[RpzRecord], removed: Iterable[RpzRecord]
    ) -> list[dns.update.UpdateMessage]:
        """The UPDATE messages :meth:`publish_changes` would send (before any 64 KiB split)."""
        return [self._message(batch) for batch in self._batches(added, removed)]

    def publish_changes(
        self, added: Iterable[RpzRecord] = (), removed: Iterable[RpzRecord] = ()
    ) -> PublishResult:
        """Send the changes; raise :class:`PublishError` if the server does not accept them all."""
        start = time.monotonic()
        added, removed = list(added), list(removed)
        sent = 0
        pending = self._batches(added, removed)
        while pending:
            batch = pending.pop(0)
            try:
                self._send(self._message(batch), applied=sent)
            except dns.exception.TooBig:
                if len(batch) == 1:
                    raise PublishError(
                        "a single record does not fit in one UPDATE message", batch[0][1].owner, sent
                    ) from None
                middle = len(batch) // 2
                pending[:0] = [batch[:middle], batch[middle:]]
                continue
            sent += 1
        if sent:
            log.info(
                "sent %d UPDATE message(s) to %s for zone %s: %d added, %d removed",
                sent,
                self.where,
                self.origin,
                len(added),
                len(removed),
            )
        return PublishResult(
            added=len(added), removed=len(removed), messages=sent, seconds=time.monotonic() - start
        )

    def _send(self, message: dns.message.Message, *, applied: int) -> None:
        zone = self.origin.to_text()
        try:
            response = dns.query.tcp(message, self.server, timeout=self.timeout, port=self.port)
        except dns.exception.TooBig:
            raise
        except dns.tsig.PeerBadKey:
            raise PublishError(
                f"the server at {self.where} refused TSIG key {self.key_name!r} for zone {zone}",
                "it does not know a key of that name and algorithm (BADKEY)",
                applied,
            ) from None
        except dns.tsig.PeerBadSignature:
            raise PublishError(
                f"the server at {self.where} refused TSIG key {self.key_name!r} for zone {zone}",
                "the signature does not verify: wrong secret or algorithm (BADSIG)",
                applied,
            ) from None
        except dns.tsig.PeerBadTime:
            raise PublishError(
                f"the server at {self.where} refused TSIG key {self.key_name!r} for zone {zone}",
                "the clocks differ by more than the allowed fudge (BADTIME)",
                applied,
            ) from None
        except (dns.tsig.PeerError, dns.tsig.BadSignature, dns.tsig.BadKey) as error:
            raise PublishError(
                f"TSIG failure with the server at {self.where} for zone {zone}", type(error).__name__, applied
            ) from None
        except dns.exception.Timeout:
            raise PublishError(
                f"no answer from {self.where} within {self.timeout:g} s", f"UPDATE for zone {zone}", applied
            ) from None
        except (OSError, EOFError) as error:
            raise PublishError(
                f"cannot send the UPDATE to {self.where}", str(error) or type(error).__name__, applied
            ) from None
        rcode = response.rcode()
        if rcode == dns.rcode.NOERROR:
            return
        reasons = {
            dns.rcode.REFUSED: f"REFUSED: the server does not allow key {self.key_name!r} to update {zone}",
            dns.rcode.NOTAUTH: f"NOTAUTH: the server is not authoritative (primary) for {zone}",
            dns.rcode.NOTZONE: f"NOTZONE: a name is outside {zone}",
            dns.rcode.SERVFAIL: "SERVFAIL: the server could not apply the update",
        }
        raise PublishError(
            f"the server at {self.where} rejected the UPDATE for zone {zone}",
            reasons.get(rcode, dns.rcode.to_text(rcode)),
            applied,
        )

    def fetch_records(self) -> list[RpzRecord]:
        """The zone's policy records, by zone transfer (AXFR) signed with the same key."""
        records: list[RpzRecord] = []
        try:
            for message in dns.query.xfr(
                self.server,
                self.origin,
                port=self.port,
                timeout=self.timeout,
                lifetime=max(self.timeout, 60.0),
                keyring=self._keyring,
                keyname=self.key_name,
                keyalgorithm=self.algorithm,
                relativize=False,
            ):
                for rrset in message.answer:
                    if rrset.rdtype in (dns.rdatatype.SOA, dns.rdatatype.NS) and rrset.name == self.origin:
                        continue
                    owner = rrset.name.relativize(self.origin).to_text()
                    rtype = dns.rdatatype.to_text(rrset.rdtype)
                    records.extend(RpzRecord(owner, rtype, rdata.to_text()) for rdata in rrset)
        except (dns.exception.DNSException, OSError, EOFError) as error:
            raise PublishError(
                f"zone transfer of {self.origin} from {self.where} failed",
                str(error) or type(error).__name__,
            ) from None
        return sorted(set(records))


# -- coalescing and the two-zone pattern -----------------------------------------------


class Coalescer:
    """Gathers change sets that arrive close together into one publication.

    A batch is due once no change has arrived for ``window`` seconds, or ``max_delay``
    seconds after its first change, whichever comes first. The trade-off: every change
    waits up to ``window`` seconds longer, but a burst of approvals costs one UPDATE
    (one policy rebuild per resolver) instead of one per approval. The last change to a
    record wins, which is safe because additions and removals are idempotent.

    >>> now = [0.0]
    >>> coalescer = Coalescer(window=0.2, max_delay=1.0, clock=lambda: now[0])
    >>> coalescer.add(added=[RpzRecord("a.example", "CNAME", ".")])
    >>> now[0] = 0.1; coalescer.add(added=[RpzRecord("b.example", "CNAME", ".")])
    >>> coalescer.due(), round(coalescer.seconds_until_due() or 0, 3)
    (False, 0.2)
    >>> now[0] = 0.35; coalescer.due()
    True
    >>> added, removed = coalescer.take()
    >>> [r.owner for r in added], removed, coalescer.pending
    (['a.example', 'b.example'], [], 0)
    """

    def __init__(
        self, window: float = 0.2, *, max_delay: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.max_delay = max(max_delay, window)
        self._clock = clock
        self._lock = threading.Lock()
        self._changes: dict[tuple[str, str, str], tuple[bool, RpzRecord]] = {}
        self._first: float | None = None
        self._last: float | None = None

    @property
    def pending(self) -> int:
        return len(self._changes)

    def add(self, added: Iterable[RpzRecord] = (), removed: Iterable[RpzRecord] = ()) -> None:
        """Queue a change set (one approval's records, say)."""
        with self._lock:
            for record in removed:
                self._changes[_key(record)] = (False, record)
            for record in added:
                self._changes[_key(record)] = (True, record)
            now = self._clock()
            if self._first is None:
                self._first = now
            self._last = now

    def seconds_until_due(self) -> float | None:
        """How long until the batch is due (0 if it is), or None if nothing is queued."""
        with self._lock:
            if not self._changes or self._first is None or self._last is None:
                return None
            deadline = min(self._last + self.window, self._first + self.max_delay)
            return max(0.0, deadline - self._clock())

    def due(self) -> bool:
        wait = self.seconds_until_due()
        return wait is not None and wait <= 0

    def take(self) -> tuple[list[RpzRecord], list[RpzRecord]]:
        """Remove and return the queued changes: (added, removed)."""
        with self._lock:
            changes = list(self._changes.values())
            self._changes.clear()
            self._first = self._last = None
        added = sorted(record for is_addition, record in changes if is_addition)
        removed = sorted(record for is_addition, record in changes if not is_addition)
        return added, removed

    def flush_if_due(
        self, publish: Callable[[list[RpzRecord], list[RpzRecord]], PublishResult]
    ) -> PublishResult | None:
        """Publish the batch if it is due; on failure the changes are queued again."""
        if not self.due():
            return None
        added, removed = self.take()
        try:
            return publish(added, removed)
        except BaseException:
            self.add(added, removed)
            raise


class TwoZonePublisher:
    """New blocks go to a small "recent" policy zone; a periodic fold moves them to the main zone.

    Resolvers list the recent zone first in ``response-policy``. An update to a zone of
    a few hundred records is applied in milliseconds, whereas one to a 1 M-record zone
    makes BIND rebuild its summary for seconds. Revocations are removed from both zones
    (the main-zone removal costs one rebuild; a revocation is not urgent to the second).

    :meth:`fold` copies the recent zone into the main zone, waits ``settle`` seconds so
    every resolver has applied the main-zone change, then removes the copied records
    from the recent zone; a name is thus blocked by at least one zone throughout.
    """

    name = "two_zone"

    def __init__(self, recent: DynamicUpdatePublisher, main: DynamicUpdatePublisher) -> None:
        self.recent = recent
        self.main = main

    def __repr__(self) -> str:
        return f"TwoZonePublisher(recent={self.recent!r}, main={self.main!r})"

    def publish_changes(
        self, added: Iterable[RpzRecord] = (), removed: Iterable[RpzRecord] = ()
    ) -> PublishResult:
        """Additions to the recent zone; removals from both zones."""
        start = time.monotonic()
        added, removed = list(added), list(removed)
        result = self.recent.publish_changes(added, removed)
        messages = result.messages
        if removed:
            messages += self.main.publish_changes((), removed).messages
        return PublishResult(
            added=len(added), removed=len(removed), messages=messages, seconds=time.monotonic() - start
        )

    def fold(self, *, settle: float = 30.0, sleep: Callable[[float], Any] = time.sleep) -> PublishResult:
        """Move every record of the recent zone into the main zone (see the class docstring)."""
        start = time.monotonic()
        records = self.recent.fetch_records()
        if not records:
            return PublishResult()
        messages = self.main.publish_changes(records, ()).messages
        sleep(settle)
        messages += self.recent.publish_changes((), records).messages
        return PublishResult(added=len(records), messages=messages, seconds=time.monotonic() - start)
