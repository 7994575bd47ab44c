"""Enumerations for captures, leads and host tracking."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaptureState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Captured")
    FAILED = "failed", _("Failed")


class StepState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    WARNING = "warning", _("Done, with a warning")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class LeadKind(models.TextChoices):
    NEW_ADDRESS = "new_address", _("The site moved to a new IP address")
    NEW_NAMESERVER = "new_nameserver", _("The domain moved to new name servers")
    SAME_CONTENT = "same_content", _("The same page appeared under another domain")


class LeadState(models.TextChoices):
    OPEN = "open", _("Open")
    LINKED = "linked", _("Linked to the case")
    DISMISSED = "dismissed", _("Dismissed")
