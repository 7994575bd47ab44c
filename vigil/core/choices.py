"""Enumerations owned by the core app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", _("Department of Information and Communications")
    POLICE = "police", _("Police")
    PROVINCIAL_DEPARTMENT = "provincial_department", _("Other provincial department")
    DISTRICT = "district", _("District")
    ISP = "isp", _("ISP / telecom operator")
    PLATFORM = "platform", _("Online platform")
    BANK = "bank", _("Bank")
    OTHER_PROVINCE = "other_province", _("Other province")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    APPRAISER = "appraiser", _("Appraiser")
    APPROVER = "approver", _("Approver")
    LIAISON = "liaison", _("Liaison (ISP / platform)")
    UNIT_REPORTER = "unit_reporter", _("Unit reporter")
    AUDITOR = "auditor", _("Auditor")
    PARTNER = "partner", _("Reporting partner (bank, telco, platform)")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class ActionKind(models.TextChoices):
    """What a decision orders; also each category's default action."""

    DNS_BLOCK = "dns_block", _("Block at DNS")
    IP_BLOCK = "ip_block", _("Block IP address")
    TAKEDOWN_REQUEST = "takedown_request", _("Takedown request")
    REFERRAL_TO_POLICE = "referral_to_police", _("Referral to police")
    PUBLIC_WARNING = "public_warning", _("Public warning")
    NO_ACTION = "no_action", _("No action")
