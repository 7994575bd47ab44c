"""Background jobs of the desk: imports, clustering of messages, status mails, contact erasure."""

from __future__ import annotations

import datetime as dt

from vigil.intake import services
from vigil.intake.models import Report
from vigil.periodic import periodic
from vigil.taskqueue import task


@task()
def run_import(job_id: int) -> dict[str, object]:
    """Process one queued file import."""
    job = services.run_import(job_id)
    return {"job": job.pk, "state": job.state, "accepted": job.accepted}


@task()
def notify_reporters(report_ids: list[int]) -> int:
    """Mail the reporters of these reports if their public status changed."""
    return services.notify_status_changes(report_ids)


@task()
def decision_changed(decision_id: int) -> int:
    """A decision entered or left force: the reporters on its case may have news."""
    ids = list(
        Report.objects.filter(case__decisions__pk=decision_id)
        .exclude(contact_email="")
        .values_list("pk", flat=True)
    )
    return services.notify_status_changes(ids) if ids else 0


@periodic("intake_cluster_messages", every=dt.timedelta(seconds=30))
@task(queue_name="periodic")
def cluster_messages() -> int:
    """Place new report texts into near-duplicate clusters."""
    return services.cluster_pending(limit=2000)


@periodic("intake_status_mails", every=dt.timedelta(minutes=2))
@task(queue_name="periodic")
def sweep_status_mails() -> int:
    """Catch every status change (case moves, rejections) that no event announced."""
    return services.notify_status_changes()


@periodic("intake_erase_contacts", every=dt.timedelta(hours=6))
@task(queue_name="periodic")
def erase_contacts() -> int:
    """Erase reporters' contact details once the retention period has passed."""
    return services.erase_old_contacts()
