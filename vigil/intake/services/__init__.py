"""Every audited write of the public reporting desk.

Views, the API and tasks call these functions; each runs in one transaction together
with its audit event.
"""

from vigil.intake.services.advisories import parse_indicator_lines, save_advisory
from vigil.intake.services.clustering import cluster_pending
from vigil.intake.services.drafts import ReportDraft, ReportInvalid, StoredImage, prepare_report
from vigil.intake.services.imports import create_import, run_import
from vigil.intake.services.lookup import LookupResult, look_up
from vigil.intake.services.partners import QuotaExceeded, quota_of, submit_batch, usage_today
from vigil.intake.services.screenshots import store_screenshot
from vigil.intake.services.status import erase_old_contacts, notify_status_changes, public_view
from vigil.intake.services.submission import normalise_code, submit_report, submit_reports
from vigil.intake.services.triage import attach_to_case, mark_spam, open_case_from, reject

__all__ = [
    "LookupResult",
    "QuotaExceeded",
    "ReportDraft",
    "ReportInvalid",
    "StoredImage",
    "attach_to_case",
    "cluster_pending",
    "create_import",
    "erase_old_contacts",
    "look_up",
    "mark_spam",
    "normalise_code",
    "notify_status_changes",
    "open_case_from",
    "parse_indicator_lines",
    "prepare_report",
    "public_view",
    "quota_of",
    "reject",
    "run_import",
    "save_advisory",
    "store_screenshot",
    "submit_batch",
    "submit_report",
    "submit_reports",
    "usage_today",
]
