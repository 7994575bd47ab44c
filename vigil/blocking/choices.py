"""Enumerations for the blocking engine."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProtectedKind(models.TextChoices):
    """Why a domain must never be blocked at DNS."""

    GOVERNMENT = "government", _("Government portal")
    BANK = "bank", _("Bank or payment service")
    PLATFORM = "platform", _("Major platform")
    CDN = "cdn", _("CDN or cloud service")
    SHARED_HOSTING = "shared_hosting", _("Shared hosting (tenants have their own subdomains)")

    @classmethod
    def whole_subtree(cls) -> frozenset[str]:
        """Kinds whose every subdomain is protected (shared hosting protects only the name itself)."""
        return frozenset({cls.GOVERNMENT, cls.BANK, cls.PLATFORM, cls.CDN})


class PublishMode(models.TextChoices):
    ZONE_FILE = "zone_file", _("Write the zone file and reload the server")
    DYNAMIC_UPDATE = "dynamic_update", _("RFC 2136 dynamic update with TSIG")


class PublicationStatus(models.TextChoices):
    OK = "ok", _("Published")
    FAILED = "failed", _("Failed")
