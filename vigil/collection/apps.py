from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "vigil.collection"
    label = "collection"
    verbose_name = _("Collection and detection")
