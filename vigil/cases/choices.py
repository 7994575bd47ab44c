"""Enumerations for cases, appraisals, decisions and appeals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "triage", _("Triage")
    COLLECTING = "collecting", _("Collecting evidence")
    APPRAISAL = "appraisal", _("Appraisal")
    DECIDED = "decided", _("Decided")
    ACTIONED = "actioned", _("Actioned")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class AppraisalVerdict(models.TextChoices):
    CONFIRMED = "violation_confirmed", _("Violation confirmed")
    NOT_VIOLATION = "not_a_violation", _("Not a violation")
    INSUFFICIENT = "insufficient_evidence", _("Insufficient evidence")


class DecisionScope(models.TextChoices):
    EXACT_URL = "exact_url", _("Exact URL")
    HOST = "host", _("Host name")
    REGISTRABLE_DOMAIN = "registrable_domain", _("Whole domain")
    IP = "ip", _("IP address")
    CIDR = "cidr", _("IP range")
    INDICATOR = "indicator", _("The indicator itself (phone, account…)")


class DecisionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class AppealState(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    UPHELD = "upheld", _("Upheld (decision stands)")
    OVERTURNED = "overturned", _("Overturned (decision revoked)")
