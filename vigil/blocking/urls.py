from django.urls import path

from vigil.blocking import views

app_name = "blocking"

urlpatterns = [
    path("blocking/", views.blocking_home, name="home"),
    path("blocking/export/<slug:fmt>/", views.download_export, name="export"),
    path("appeal/<int:decision_id>/", views.appeal_form, name="appeal"),
    path("appeal/status/<str:code>/", views.appeal_status, name="appeal_status"),
]
