"""Hash chain for the append-only audit trail (pure Python, no Django).

Each event stores ``hash = sha256(prev_hash + "\\n" + canonical_json(payload))``; changing,
removing or reordering any stored event breaks every hash from that point on, and
:func:`verify_chain` names the first event where the chain breaks.

>>> first = event_hash(GENESIS_HASH, {"seq": 1, "action": "case.opened"})
>>> second = event_hash(first, {"seq": 2, "action": "case.closed"})
>>> rows = [ChainRow(1, GENESIS_HASH, first, {"seq": 1, "action": "case.opened"}),
...         ChainRow(2, first, second, {"seq": 2, "action": "case.closed"})]
>>> verify_chain(rows).ok
True
>>> tampered = [rows[0], ChainRow(2, first, second, {"seq": 2, "action": "case.reopened"})]
>>> result = verify_chain(tampered)
>>> (result.ok, result.first_broken_seq, result.reason)
(False, 2, 'stored hash does not match the event content')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


def canonical_json(payload: Mapping[str, object]) -> bytes:
    """Serialise ``payload`` the one way the chain hashes it: sorted keys, no spaces, UTF-8.

    >>> canonical_json({"b": 1, "a": "đ"})
    b'{"a":"\\xc4\\x91","b":1}'
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def event_hash(prev_hash: str, payload: Mapping[str, object]) -> str:
    """The hash an event must carry, given its predecessor's hash.

    >>> len(event_hash(GENESIS_HASH, {}))
    64
    """
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(payload))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One stored event as the verifier sees it."""

    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """Outcome of a verification: how many events were checked and where it broke."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS_HASH


def verify_chain(rows: Iterable[ChainRow], *, expected_head: tuple[int, str] | None = None) -> ChainVerdict:
    """Recompute the chain over ``rows`` (in ``seq`` order) and report the first break.

    ``expected_head`` is the (seq, hash) the application recorded for the newest event;
    it catches events removed from the end of the chain.

    >>> verify_chain([], expected_head=(0, GENESIS_HASH)).ok
    True
    >>> verify_chain([], expected_head=(3, "f" * 64)).reason
    'the chain ends at event 0 but the recorded head is event 3'
    """
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in rows:
        if row.seq != expected_seq:
            return ChainVerdict(
                False, checked, row.seq, f"event {expected_seq} is missing before event {row.seq}"
            )
        if row.prev_hash != prev_hash:
            return ChainVerdict(
                False, checked, row.seq, "previous-hash link does not match the event before it"
            )
        if event_hash(prev_hash, row.payload) != row.hash:
            return ChainVerdict(False, checked, row.seq, "stored hash does not match the event content")
        prev_hash = row.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if expected_head is not None and expected_head != (last_seq, prev_hash):
        head_seq, _ = expected_head
        if head_seq != last_seq:
            reason = f"the chain ends at event {last_seq} but the recorded head is event {head_seq}"
        else:
            reason = "the newest event's hash differs from the recorded head"
        return ChainVerdict(False, checked, last_seq + 1 if head_seq > last_seq else last_seq, reason)
    return ChainVerdict(True, checked, None, "", last_seq, prev_hash)
