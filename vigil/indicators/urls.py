from django.urls import path

from vigil.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("<int:indicator_id>/", views.indicator_detail, name="detail"),
]
