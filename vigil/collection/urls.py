from django.urls import path

from vigil.collection import views

app_name = "collection"

urlpatterns = [
    path("captures/public-key/", views.public_key, name="public_key"),
    path("captures/<int:capture_id>/", views.capture_detail, name="capture"),
    path("captures/<int:capture_id>/progress/", views.capture_progress, name="progress"),
    path("captures/<int:capture_id>/retry/", views.capture_retry, name="retry"),
    path("cases/<str:code>/capture/", views.capture_start, name="start"),
    path("cases/<str:code>/captures/", views.case_captures, name="case_captures"),
    path("leads/", views.lead_list, name="leads"),
    path("leads/<int:lead_id>/<slug:action>/", views.lead_action, name="lead_action"),
    path("hosts/<str:host>/", views.host_history, name="host"),
]
