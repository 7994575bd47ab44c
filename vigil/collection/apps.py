from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "vigil.collection"
    label = "collection"
    verbose_name = _("Collection and detection")

    def ready(self) -> None:
        from vigil.cases.hooks import on_appraisal_prefill
        from vigil.collection import tasks  # noqa: F401  (registers tasks and periodic jobs)
        from vigil.collection.findings import appraisal_prefill

        on_appraisal_prefill(appraisal_prefill)
