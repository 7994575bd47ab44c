"""``{% case_captures case %}``: the Captures section of the case page."""

from __future__ import annotations

from typing import Any

from django import template

from vigil.cases.models import Case
from vigil.collection.findings import case_findings, strong_findings
from vigil.collection.models import Capture, Lead
from vigil.core import roles
from vigil.core.models import User

register = template.Library()


def captures_context(user: User, case: Case) -> dict[str, Any]:
    """What the Captures section shows for ``case`` to ``user``."""
    captures = list(
        Capture.objects.filter(case=case).select_related("requested_by").prefetch_related("findings")[:50]
    )
    capturable = [
        link
        for link in case.indicator_links.select_related("indicator").all()
        if link.indicator.type in {"url", "domain"}
    ]
    findings = case_findings(case)
    return {
        "case": case,
        "captures": captures,
        "capturable": capturable,
        "findings": findings[:20],
        "strong": strong_findings(case),
        "leads": list(Lead.objects.filter(case=case, state="open").select_related("matched_capture")[:20]),
        "any_active": any(capture.is_active for capture in captures),
        "can_capture": case.status != "merged"
        and not case.category.referral_only
        and roles.can(user, "capture.run")
        and roles.can(user, "evidence.add"),
    }


@register.inclusion_tag("collection/_case_captures.html", takes_context=True)
def case_captures(context: template.Context, case: Case) -> dict[str, Any]:
    """Render the Captures section for the current user."""
    user = context["request"].user
    data = captures_context(user, case)
    data["csrf_token"] = context.get("csrf_token")
    return data
