"""Enumerations of the public reporting desk."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """What the citizen is reporting; the form adapts its main field to it."""

    WEBSITE = "website", _("Website or link")
    PHONE_CALL = "phone_call", _("Phone call")
    SMS = "sms", _("SMS or chat message")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    EMAIL = "email", _("E-mail")
    SOCIAL = "social", _("Social-media account")
    APP = "app", _("App")
    OTHER = "other", _("Something else")


class Channel(models.TextChoices):
    WEB = "web", _("Public form")
    PARTNER = "partner", _("Partner API")
    IMPORT = "import", _("File import")


class ReportState(models.TextChoices):
    """Where a report stands in triage (staff side)."""

    NEW = "new", _("Waiting for triage")
    IN_CASE = "in_case", _("In a case")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam or abuse")


class GroupState(models.TextChoices):
    """A triage queue item: every report on one normalised indicator."""

    OPEN = "open", _("Open")
    IN_CASE = "in_case", _("In a case")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam or abuse")


class PublicStatus(models.TextChoices):
    """What the reporter's status page says, in plain words."""

    RECEIVED = "received", _("Received")
    CHECKING = "checking", _("Being checked")
    ACTED_ON = "acted_on", _("Confirmed and acted on")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")


class Verdict(models.TextChoices):
    """The answer of a public look-up."""

    BLOCKED = "blocked", _("Blocked by a decision")
    CONFIRMED = "confirmed", _("Confirmed scam")
    REPORTED = "reported", _("Reported, under review")
    NOT_CONFIRMED = "not_confirmed", _("Reported, not confirmed")
    NONE = "none", _("No reports")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
