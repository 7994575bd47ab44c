"""``vigil systemcheck``: Django's own ``check`` (the name ``vigil check`` checks values against
the blocklist, as operators expect)."""

from django.core.management.commands.check import Command as DjangoCheck


class Command(DjangoCheck):
    help = "Django's system checks (deployment: --deploy). `vigil check` checks values against the blocklist."
