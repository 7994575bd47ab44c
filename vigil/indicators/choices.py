"""Indicator kinds, mirroring :class:`vigil.lib.indicators.IndicatorType`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    URL = "url", _("URL")
    DOMAIN = "domain", _("Domain")
    IP = "ip", _("IP address")
    CIDR = "cidr", _("IP range (CIDR)")
    PHONE = "phone", _("Phone number")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    EMAIL = "email", _("E-mail address")
    SOCIAL_ACCOUNT = "social_account", _("Social-media account")
    SMS_SENDER = "sms_sender", _("SMS sender")
    APP_ID = "app_id", _("App")
    CRYPTO_WALLET = "crypto_wallet", _("Crypto wallet")
