from django.urls import path

from zhifa.common import files, ops, views

app_name = "common"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path("files/<str:token>/", files.file_download, name="file"),  # signed per-user links to uploads
]
