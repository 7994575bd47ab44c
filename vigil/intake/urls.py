from django.urls import path

from vigil.intake import feeds
from vigil.intake.views import public, staff

app_name = "intake"

urlpatterns = [
    # Public, no log-in.
    path("report/", public.report, name="report"),
    path("report/status/", public.find_status, name="find_status"),
    path("report/status/<str:code>/", public.status, name="status"),
    path("lookup/", public.lookup, name="lookup"),
    path("warnings/", public.warnings_list, name="warnings"),
    path("warnings/<int:pk>/", public.warning_detail, name="warning"),
    path("warnings/feed.atom", feeds.atom_feed, name="warnings_atom"),
    path("warnings/feed.json", feeds.json_feed, name="warnings_json"),
    # Staff.
    path("intake/", staff.queue, name="queue"),
    path("intake/groups/<int:pk>/", staff.group_detail, name="group"),
    path("intake/groups/<int:pk>/reports.csv", staff.group_export, name="group_export"),
    path("intake/clusters/<int:pk>/", staff.cluster_detail, name="cluster"),
    path("intake/<slug:target>/<int:pk>/do/<slug:action>/", staff.triage_action, name="action"),
    path("intake/reports/<str:code>/", staff.report_detail, name="report_detail"),
    path("intake/screenshots/<int:pk>/", staff.screenshot, name="screenshot"),
    path("intake/cases/<str:code>/", staff.case_reports, name="case_reports"),
    path("intake/import/", staff.imports, name="import"),
    path("intake/import/<int:pk>/", staff.import_job, name="import_job"),
    path("intake/import/<int:pk>/errors.csv", staff.import_errors, name="import_errors"),
    path("intake/warnings/", staff.advisories, name="advisories"),
    path("intake/warnings/new/", staff.advisory_edit, name="advisory_new"),
    path("intake/warnings/<int:pk>/edit/", staff.advisory_edit, name="advisory_edit"),
]
