"""Routes of the jobs pages (namespace ``jobs``): imports, exports, their progress, recent activities."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/download/", views.job_download, name="download"),
    path("activities/<uuid:activity_id>/", views.activity_detail, name="activity"),
    path("import/", views.import_upload, name="import"),
    path("import/<str:token>/columns/", views.import_map, name="import-map"),
    path("import/<str:token>/lists/", views.import_start, name="import-start"),
    path("import/<str:token>/cancel/", views.import_cancel, name="import-cancel"),
    path("export/", views.export_create, name="export"),
]
