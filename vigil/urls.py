"""Root URLconf."""

from django.contrib import admin
from django.urls import include, path

from vigil.api import api, register_routers
from vigil.cases.urls import evidence_urlpatterns

register_routers()

urlpatterns = [
    path("", include("vigil.core.urls")),
    path("cases/", include("vigil.cases.urls")),
    path("evidence/", include((evidence_urlpatterns, "evidence"))),
    path("indicators/", include("vigil.indicators.urls")),
    path("", include("vigil.blocking.urls")),
    path("", include("vigil.intake.urls")),
    path("", include("vigil.collection.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
