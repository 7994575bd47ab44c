from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BlockingConfig(AppConfig):
    name = "vigil.blocking"
    label = "blocking"
    verbose_name = _("Blocking")

    def ready(self) -> None:
        from vigil.blocking import tasks  # noqa: F401  (registers tasks and periodic jobs)
        from vigil.blocking.hooks import register
        from vigil.blocking.seeding import on_post_migrate

        register()
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="vigil-seed-blocking")
