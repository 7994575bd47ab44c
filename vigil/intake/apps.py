from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "vigil.intake"
    label = "intake"
    verbose_name = _("Public reporting desk")

    def ready(self) -> None:
        from vigil.intake import tasks  # noqa: F401  (registers tasks and periodic jobs)
        from vigil.intake.hooks import register

        register()
