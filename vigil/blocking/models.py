"""Allow-list, shared address ranges, DNS publishing targets and their publications."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.blocking.choices import ProtectedKind, PublicationStatus, PublishMode


class ProtectedDomain(models.Model):
    """A domain never blocked at DNS: government portals, banks, major platforms, CDNs, shared hosts."""

    domain = models.CharField(_("domain"), max_length=253, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProtectedKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("protected domain")
        verbose_name_plural = _("protected domains (allow-list)")

    def __str__(self) -> str:
        return self.domain


class SharedAddressRange(models.Model):
    """Addresses shared by many sites (CDNs, shared hosting): IP blocks need an approver's confirmation."""

    cidr = models.CharField(_("address range"), max_length=49, unique=True)
    provider = models.CharField(_("provider"), max_length=100)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider", "cidr"]
        verbose_name = _("shared address range")
        verbose_name_plural = _("shared address ranges")

    def __str__(self) -> str:
        return f"{self.cidr} ({self.provider})"


class DnsTarget(models.Model):
    """A DNS server Vigil publishes its response policy zone to."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    mode = models.CharField(_("mode"), max_length=20, choices=PublishMode.choices)
    zone = models.CharField(_("policy zone"), max_length=253, default="rpz.vigil")
    recent_zone = models.CharField(
        _("recent-changes zone"),
        max_length=253,
        blank=True,
        help_text=_(
            "Optional small policy zone listed first on the resolvers: new blocks go there and apply in "
            "milliseconds, and are folded into the main zone periodically."
        ),
    )
    server = models.CharField(_("server address"), max_length=100, default="127.0.0.1")
    port = models.PositiveIntegerField(_("port"), default=53)
    tsig_key_name = models.CharField(_("TSIG key name"), max_length=100, blank=True)
    tsig_algorithm = models.CharField(_("TSIG algorithm"), max_length=30, default="hmac-sha256")
    tsig_secret = models.CharField(_("TSIG secret (base64)"), max_length=200, blank=True)
    zone_path = models.CharField(_("zone file path"), max_length=500, blank=True)
    reload_command = models.CharField(
        _("reload command"),
        max_length=500,
        blank=True,
        help_text=_("Run after writing the zone file, e.g. rndc reload rpz.vigil"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("DNS publishing target")
        verbose_name_plural = _("DNS publishing targets")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_mode_display()})"


class Publication(models.Model):
    """One attempt to bring a DNS target up to date."""

    target = models.ForeignKey(DnsTarget, on_delete=models.CASCADE, related_name="publications")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    serial = models.PositiveBigIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=PublicationStatus.choices)
    error = models.TextField(blank=True)
    snapshot_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.target.name} #{self.serial} {self.status}"


class BlocklistSerial(models.Model):
    """The blocklist's serial: bumped each time its rules change (zone SOA serial)."""

    serial = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.serial)


class ImportedList(models.Model):
    """A feed or list imported as draft decisions; re-importing it only adds what is new."""

    source = models.CharField(_("source"), max_length=300, unique=True)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="imported_list")
    last_sha256 = models.CharField(max_length=64, blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["source"]
        verbose_name = _("imported list")
        verbose_name_plural = _("imported lists")

    def __str__(self) -> str:
        return self.source
