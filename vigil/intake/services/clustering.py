"""Grouping near-duplicate report texts into clusters, incrementally, by LSH keys in the database.

Every web process and worker sees the same clusters because the band keys live in a
table: a new text is compared only with the reports that share one of its keys.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vigil.intake import textsim
from vigil.intake.models import Report, ReportBand, TextCluster

CHUNK = 50


def _best_match(sig: bytes, candidates: dict[int, tuple[bytes, int | None]]) -> int | None:
    best_cluster, best_score = None, textsim.THRESHOLD
    for other_sig, cluster_id in candidates.values():
        if cluster_id is None:
            continue
        score = textsim.similarity(sig, other_sig)
        if score >= best_score:
            best_cluster, best_score = cluster_id, score
    return best_cluster


def _cluster_chunk(items: list[tuple[int, bytes, list[int]]]) -> None:
    now = timezone.now()
    # Another worker may have placed some of these meanwhile; the lock makes that visible.
    still = set(
        Report.objects.select_for_update()
        .filter(pk__in=[pk for pk, _sig, _keys in items], needs_clustering=True)
        .values_list("pk", flat=True)
    )
    items = [item for item in items if item[0] in still]
    all_keys = {key for _pk, _sig, keys in items for key in keys}
    by_key: dict[int, set[int]] = defaultdict(set)
    for key, report_id in ReportBand.objects.filter(key__in=list(all_keys)).values_list("key", "report_id"):
        by_key[key].add(report_id)
    known: dict[int, tuple[bytes, int | None]] = {}
    wanted = {rid for ids in by_key.values() for rid in ids}
    for pk, sig, cluster_id in Report.objects.filter(pk__in=wanted).values_list(
        "pk", "signature", "cluster_id"
    ):
        known[pk] = (bytes(sig) if sig is not None else b"", cluster_id)
    grown: dict[int, int] = defaultdict(int)
    bands = []
    for pk, sig, keys in items:
        candidates = {rid: known[rid] for key in keys for rid in by_key.get(key, ()) if rid in known}
        cluster_id = _best_match(sig, candidates)
        if cluster_id is None:
            cluster_id = TextCluster.objects.create(created_at=now, last_seen=now, size=0).pk
        grown[cluster_id] += 1
        Report.objects.filter(pk=pk).update(signature=sig, cluster_id=cluster_id, needs_clustering=False)
        known[pk] = (sig, cluster_id)
        for key in keys:
            by_key[key].add(pk)
        bands.extend(ReportBand(report_id=pk, key=key) for key in set(keys))
    ReportBand.objects.bulk_create(bands, batch_size=1000)
    for cluster_id, count in grown.items():
        TextCluster.objects.filter(pk=cluster_id).update(size=F("size") + count, last_seen=now)


def cluster_pending(*, limit: int = 500) -> int:
    """Place up to ``limit`` reports that wait for clustering; returns how many were placed."""
    pending = list(
        Report.objects.filter(needs_clustering=True).order_by("pk").values_list("pk", "text")[:limit]
    )
    if not pending:
        return 0
    # The CPU work happens outside the transaction, so writers are not kept waiting.
    items = []
    for pk, text in pending:
        sig = textsim.signature(text)
        items.append((pk, sig, textsim.band_keys(sig)))
    for start in range(0, len(items), CHUNK):
        with transaction.atomic():
            _cluster_chunk(items[start : start + CHUNK])
    return len(items)
