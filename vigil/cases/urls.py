from django.urls import path

from vigil.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<str:code>/", views.case_detail, name="detail"),
    path("<str:code>/do/<slug:action>/", views.case_action, name="action"),
]

evidence_urlpatterns = [
    path("<int:item_id>/download/", views.evidence_download, name="download"),
    path("<int:item_id>/preview/", views.evidence_preview, name="preview"),
]
