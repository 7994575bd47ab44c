"""Background jobs for cases."""

from __future__ import annotations

import datetime as dt

from vigil.cases import services
from vigil.periodic import periodic
from vigil.taskqueue import task


@periodic("expire_decisions", every=dt.timedelta(minutes=5))
@task(queue_name="periodic")
def expire_decisions() -> int:
    """End approved or active decisions whose expiry has passed."""
    return services.expire_decisions()
