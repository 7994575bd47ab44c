from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from vigil.core.seeding import on_post_migrate

        # Seeding follows migrate and flush (tests flush between browser tests).
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="vigil-seed-reference-data")
