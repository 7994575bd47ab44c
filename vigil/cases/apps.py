from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "vigil.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Task modules register their tasks and periodic jobs on import.
        from vigil.cases import tasks  # noqa: F401
