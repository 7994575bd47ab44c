"""Background jobs of the blocking engine."""

from __future__ import annotations

import datetime as dt

from vigil.blocking import services
from vigil.periodic import periodic
from vigil.taskqueue import task


@task()
def decision_changed(decision_id: int) -> dict[str, object]:
    """A decision entered or left force: publish its change at once, then refresh the snapshot."""
    return services.apply_decision_change(decision_id)


@periodic("reconcile_blocklist", every=dt.timedelta(minutes=5))
@task(queue_name="periodic")
def reconcile_blocklist() -> dict[str, object]:
    """Rebuild the snapshot and bring every DNS target fully up to date (self-healing)."""
    return services.reconcile()


@periodic("fold_recent_zones", every=dt.timedelta(minutes=15))
@task(queue_name="periodic")
def fold_recent_zones() -> dict[str, object]:
    """Fold recent-changes policy zones into their main zones."""
    return services.fold_recent_zones()
