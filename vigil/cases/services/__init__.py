"""Every audited write on cases, evidence, appraisals, decisions and appeals.

Views, the API, the CLI and tasks all call these functions; each runs in one
transaction together with its audit event.
"""

from vigil.cases.services.appeals import (
    record_appeal,
    record_public_appeal,
    resolve_appeal,
    start_appeal_review,
)
from vigil.cases.services.cases import (
    add_indicator,
    merge_cases,
    open_case,
    refresh_search_text,
    transition_case,
    update_case,
)
from vigil.cases.services.decisions import (
    activate_decision,
    add_appraisal,
    approve_decision,
    draft_decision,
    expire_decisions,
    revoke_decision,
)
from vigil.cases.services.evidence import (
    add_evidence,
    evidence_store,
    open_evidence,
    record_evidence,
    register_withheld_evidence,
    store_content,
)

__all__ = [
    "activate_decision",
    "add_appraisal",
    "add_evidence",
    "add_indicator",
    "approve_decision",
    "draft_decision",
    "evidence_store",
    "expire_decisions",
    "merge_cases",
    "open_case",
    "open_evidence",
    "record_appeal",
    "record_evidence",
    "record_public_appeal",
    "refresh_search_text",
    "register_withheld_evidence",
    "resolve_appeal",
    "revoke_decision",
    "start_appeal_review",
    "store_content",
    "transition_case",
    "update_case",
]
