"""The blocking engine's services: the shared snapshot, exports, and publishing to DNS servers.

Two paths keep resolvers current:

* **Incremental** (:func:`apply_decision_change`): when one decision enters or leaves
  force, only the records of its registrable domain's name tree are recomputed — before
  and after the change — and the difference is sent as a dynamic update at once. This
  is the path that makes a resolver block a name seconds after approval.
* **Full** (:func:`reconcile`, periodic): every rule in force is compiled into the
  snapshot and the zone files, and each dynamic target's actual zone (read back by
  AXFR) is brought to exactly the desired records. It repairs anything the
  incremental path missed (a server that was down, an allow-list edit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import shlex
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from vigil.blocking import rules as rule_source
from vigil.blocking.choices import PublicationStatus, PublishMode
from vigil.blocking.models import BlocklistSerial, DnsTarget, Publication
from vigil.cases.choices import DecisionState
from vigil.cases.models import Decision
from vigil.core import audit
from vigil.lib import dnspublish
from vigil.lib.blocklist import Rule
from vigil.lib.domains import registrable_domain
from vigil.lib.exports.registry import ExportMeta, ExportStats, exporters
from vigil.lib.exports.rpz import Policy, RpzRecord
from vigil.lib.exports.zonefile import write_zone, zone_records
from vigil.lib.matcher import Snapshot, compile_snapshot
from vigil.lib.snapshot import SnapshotHolder, save_snapshot

logger = logging.getLogger(__name__)

# Formats for resolvers and firewalls carry only what was ordered blocked at DNS or IP
# level; lists for mail filters and browsers carry every listed decision.
ENFORCED_FORMATS = frozenset({"rpz", "nftables", "cidr", "hosts"})
Key = tuple[str, str, str]


def snapshot_path() -> Path:
    """The one snapshot file the web processes, workers and the milter share."""
    return Path(settings.VIGIL_BLOCKLIST_DIR) / "blocklist.snapshot"


@cache
def _holder(path: str) -> SnapshotHolder:
    return SnapshotHolder(Path(path))


def current_snapshot() -> Snapshot:
    """The snapshot in force, reloaded when another process replaced the file."""
    return _holder(str(snapshot_path())).get()


def _serial_row() -> BlocklistSerial:
    return BlocklistSerial.objects.get_or_create(pk=1)[0]


def _bump_serial() -> int:
    _serial_row()
    BlocklistSerial.objects.filter(pk=1).update(serial=F("serial") + 1, updated_at=timezone.now())
    return int(BlocklistSerial.objects.values_list("serial", flat=True).get(pk=1))


def _now_iso() -> str:
    return timezone.now().astimezone(dt.UTC).replace(microsecond=0).isoformat()


def rebuild_snapshot() -> Snapshot:
    """Compile every rule in force into the shared snapshot file (atomically replaced)."""
    snapshot = compile_snapshot(rule_source.active_rules(enforced_only=False), generated_at=_now_iso())
    path = snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    save_snapshot(snapshot, path)
    _holder(str(path)).reload()
    return snapshot


def export_meta(*, origin: str | None = None, serial: int | None = None) -> ExportMeta:
    """Zone settings and header for exports and publications."""
    return ExportMeta(
        origin=origin or settings.VIGIL_RPZ_ZONE,
        serial=int(_serial_row().serial if serial is None else serial) % 2**32,
        generated_at=_now_iso(),
        policy=Policy(settings.VIGIL_RPZ_POLICY),
        block_host=settings.VIGIL_BLOCK_PAGE_HOST,
        title="Vigil blocklist",
        comments=(f"Decisions and appeals: {settings.VIGIL_PUBLIC_URL}/",),
    )


def enforced(rules: Iterable[Rule]) -> Iterable[Rule]:
    """Only what resolvers and firewalls enforce: DNS and IP blocks, and the allow-list."""
    for rule in rules:
        if rule.ref.source != "decision" or rule.ref.action in rule_source.ENFORCED_ACTIONS:
            yield rule


def export(fmt: str, out: TextIO, snapshot: Snapshot | None = None) -> ExportStats:
    """Write one export format from the snapshot in force; returns the exporter's statistics."""
    exporter = exporters.get(fmt)
    rules = (snapshot or current_snapshot()).rules()
    return exporter.write(enforced(rules) if fmt in ENFORCED_FORMATS else rules, out, export_meta())


def export_file(fmt: str) -> tuple[Path, str]:
    """The export of the snapshot in force, written once per snapshot version; and its ETag."""
    snapshot = current_snapshot()
    version = snapshot.version
    path = Path(settings.VIGIL_BLOCKLIST_DIR) / "exports" / f"{version[:32]}.{fmt}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            export(fmt, out, snapshot)
        partial.replace(path)
    return path, f'"{version[:32]}-{fmt}"'


def export_text(fmt: str) -> str:
    """An export as a string."""
    buffer = io.StringIO()
    export(fmt, buffer)
    return buffer.getvalue()


# --- publishing --------------------------------------------------------------------------------


def _keys(records: Iterable[RpzRecord]) -> set[Key]:
    return {(r.owner, r.rtype, r.rdata) for r in records}


def _as_records(keys: Iterable[Key]) -> list[RpzRecord]:
    return [RpzRecord(owner, rtype, rdata) for owner, rtype, rdata in sorted(keys)]


def desired_records(rules: Iterable[Rule] | None = None) -> list[RpzRecord]:
    """The full policy zone's records for the rules in force."""
    source = rules if rules is not None else rule_source.active_rules(enforced_only=True)
    records, _stats = zone_records(source, export_meta())
    return records


def _zone_updater(target: DnsTarget, zone: str) -> dnspublish.DynamicUpdatePublisher:
    try:
        return dnspublish.DynamicUpdatePublisher(
            server=target.server,
            port=target.port,
            zone=zone,
            tsig_key_name=target.tsig_key_name,
            tsig_secret=target.tsig_secret,
            tsig_algorithm=target.tsig_algorithm,
        )
    except ValueError as exc:  # the message names the key, never the secret
        # One misconfigured target must not stop publishing to the others.
        raise dnspublish.PublishError(f"DNS target {target.name} is misconfigured", str(exc)) from None


def _updater(target: DnsTarget) -> Any:
    """One zone, or the recent/main pair (new blocks apply in milliseconds; see TwoZonePublisher)."""
    main = _zone_updater(target, target.zone)
    if not target.recent_zone:
        return main
    return dnspublish.TwoZonePublisher(recent=_zone_updater(target, target.recent_zone), main=main)


def _actual_records(target: DnsTarget) -> set[Key]:
    keys = _keys(_zone_updater(target, target.zone).fetch_records())
    if target.recent_zone:
        keys |= _keys(_zone_updater(target, target.recent_zone).fetch_records())
    return keys


def _record(
    target: DnsTarget,
    serial: int,
    status: str,
    *,
    added: int = 0,
    removed: int = 0,
    error: str = "",
    started: dt.datetime | None = None,
) -> Publication:
    return Publication.objects.create(
        target=target,
        serial=serial,
        status=status,
        added=added,
        removed=removed,
        error=error[:4000],
        started_at=started or timezone.now(),
        finished_at=timezone.now(),
    )


def _send_changes(target: DnsTarget, added: set[Key], removed: set[Key], serial: int) -> Publication:
    started = timezone.now()
    try:
        if added or removed:
            _updater(target).publish_changes(_as_records(added), _as_records(removed))
    except dnspublish.PublishError as exc:
        logger.warning("publishing to %s failed: %s", target.name, exc)
        return _record(target, serial, PublicationStatus.FAILED, error=str(exc), started=started)
    return _record(
        target, serial, PublicationStatus.OK, added=len(added), removed=len(removed), started=started
    )


def _write_zone_file(target: DnsTarget, rules: list[Rule], serial: int) -> Publication:
    started = timezone.now()
    meta = dataclasses.replace(export_meta(serial=serial), origin=target.zone)
    try:
        try:
            publisher = dnspublish.ZoneFilePublisher(
                Path(target.zone_path), shlex.split(target.reload_command)
            )
        except ValueError as exc:
            raise dnspublish.PublishError(f"DNS target {target.name} is misconfigured", str(exc)) from None
        publisher.publish(lambda out: write_zone(rules, out, meta))
    except dnspublish.PublishError as exc:
        logger.warning("publishing to %s failed: %s", target.name, exc)
        return _record(target, serial, PublicationStatus.FAILED, error=str(exc), started=started)
    return _record(target, serial, PublicationStatus.OK, added=len(rules), started=started)


def _tree_rules(decision: Decision) -> list[Rule]:
    """Every enforced rule, other than the decision's own, in the name tree (or address) it touches."""
    if decision.scope in ("ip", "cidr"):
        decisions = Decision.objects.filter(target=decision.target)
        protected: list[Rule] = []
    else:
        root = registrable_domain(decision.target) or decision.target
        decisions = Decision.objects.filter(Q(target=root) | Q(target__endswith="." + root))
        protected = [
            rule
            for rule in rule_source.allow_rules()
            if rule.value == root or rule.value.endswith("." + root) or root.endswith("." + rule.value)
        ]
    decisions = decisions.filter(state=DecisionState.ACTIVE, action__in=rule_source.ENFORCED_ACTIONS)
    found = [
        rule_source.rule_for_decision(item)
        for item in decisions.exclude(pk=decision.pk).select_related("category", "legal_basis")
    ]
    return [rule for rule in found if rule is not None and rule.is_dns_expressible] + protected


def decision_delta(decision: Decision) -> tuple[set[Key], set[Key]]:
    """(added, removed) records when ``decision`` has just entered or left force."""
    others = _tree_rules(decision)
    own = rule_source.rule_for_decision(decision)
    without = _keys(desired_records(others))
    with_it = (
        _keys(desired_records([*others, own])) if own is not None and own.is_dns_expressible else without
    )
    entered, left = with_it - without, without - with_it
    return (entered, left) if decision.state == DecisionState.ACTIVE else (left, entered)


def apply_decision_change(decision_id: int) -> dict[str, object]:
    """Publish one decision's change to every dynamic target now; refresh snapshot and zone files."""
    decision = Decision.objects.select_related("category", "legal_basis").filter(pk=decision_id).first()
    if decision is None:
        return {"skipped": "no such decision"}
    results: dict[str, object] = {"decision": decision_id, "state": decision.state}
    serial = _bump_serial()
    if decision.action in rule_source.ENFORCED_ACTIONS:
        added, removed = decision_delta(decision)
        for target in DnsTarget.objects.filter(is_active=True, mode=PublishMode.DYNAMIC_UPDATE):
            results[target.name] = _send_changes(target, added, removed, serial).status
    snapshot = rebuild_snapshot()
    results["snapshot"] = snapshot.version
    file_targets = list(DnsTarget.objects.filter(is_active=True, mode=PublishMode.ZONE_FILE))
    if file_targets:
        zone_rules = list(enforced(snapshot.rules()))
        for target in file_targets:
            results[target.name] = _write_zone_file(target, zone_rules, serial).status
    return results


def reconcile() -> dict[str, object]:
    """Rebuild the snapshot and bring every target to exactly the rules in force."""
    snapshot = rebuild_snapshot()
    zone_rules = list(enforced(snapshot.rules()))
    desired = _keys(desired_records(zone_rules))
    serial = _bump_serial()
    results: dict[str, object] = {"snapshot": snapshot.version, "entries": len(snapshot), "serial": serial}
    for target in DnsTarget.objects.filter(is_active=True):
        if target.mode == PublishMode.ZONE_FILE:
            results[target.name] = _write_zone_file(target, zone_rules, serial).status
            continue
        try:
            actual = _actual_records(target)
        except dnspublish.PublishError as exc:
            results[target.name] = _record(target, serial, PublicationStatus.FAILED, error=str(exc)).status
            continue
        results[target.name] = _send_changes(target, desired - actual, actual - desired, serial).status
    with transaction.atomic():
        audit.record(
            actor=None,
            action="blocklist.reconciled",
            object_type="blocking.snapshot",
            object_id=snapshot.version[:16],
            changes={"entries": [None, len(snapshot)], "serial": [None, serial]},
        )
    return results


def fold_recent_zones(*, settle: float = 30.0) -> dict[str, object]:
    """Move each target's recent-changes zone into its main zone."""
    results: dict[str, object] = {}
    for target in DnsTarget.objects.filter(is_active=True, mode=PublishMode.DYNAMIC_UPDATE).exclude(
        recent_zone=""
    ):
        try:
            results[target.name] = _updater(target).fold(settle=settle).added
        except dnspublish.PublishError as exc:
            results[target.name] = f"failed: {exc}"
            logger.warning("folding %s failed: %s", target.name, exc)
    return results


def allow_list_changed() -> None:
    """An allow-list edit can unblock names anywhere: reconcile everything after commit."""
    from vigil.blocking.tasks import reconcile_blocklist

    transaction.on_commit(reconcile_blocklist.enqueue)
