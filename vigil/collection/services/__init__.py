"""Every audited write of the collection app: captures, re-resolution, leads.

Views, the API, the CLI and tasks call these functions.
"""

from vigil.collection.services.capture import (
    auto_capture_sweep,
    capture_url_for,
    reap_stale_captures,
    request_capture,
    retry_capture,
    run_capture,
)
from vigil.collection.services.config import capture_config, public_key
from vigil.collection.services.tracking import dismiss_lead, link_lead, reresolve_all, watched_hosts

__all__ = [
    "auto_capture_sweep",
    "capture_config",
    "capture_url_for",
    "dismiss_lead",
    "link_lead",
    "public_key",
    "reap_stale_captures",
    "request_capture",
    "reresolve_all",
    "retry_capture",
    "run_capture",
    "watched_hosts",
]
