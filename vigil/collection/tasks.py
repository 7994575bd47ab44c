"""Background jobs of the collection app: one capture per task, and the periodic sweeps."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from vigil.collection import services
from vigil.periodic import periodic
from vigil.taskqueue import task


@task()
def capture_url(capture_id: int, actor_id: int) -> str:
    """Run one queued capture; its progress is on the Capture row."""
    return services.run_capture(capture_id, actor_id)


@periodic("reresolve_watched_hosts", every=dt.timedelta(minutes=settings.VIGIL_RERESOLVE_MINUTES))
@task(queue_name="periodic")
def reresolve_watched_hosts() -> dict[str, int]:
    """Re-resolve and re-check every URL and domain under an active decision or on an open case."""
    return services.reresolve_all()


@periodic("collection_sweep", every=dt.timedelta(minutes=1))
@task(queue_name="periodic")
def collection_sweep() -> dict[str, int]:
    """Fail captures whose worker died, and queue captures of new URLs on open cases."""
    reaped = services.reap_stale_captures()
    queued = services.auto_capture_sweep() if settings.VIGIL_CAPTURE_AUTO else 0
    return {"reaped": reaped, "queued": queued}
