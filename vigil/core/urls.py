from django.urls import path

from vigil.core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/logout/", views.logout_view, name="logout"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("audit/", views.audit_trail, name="audit"),
    path("healthz", views.healthz, name="healthz"),
]
