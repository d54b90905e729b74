"""The privacy officer's retention pages (mounted by privacy/urls.py, namespace "privacy")."""

from django.urls import path

from . import views

urlpatterns = [
    path("retention/", views.retention_home, name="retention"),
    path("retention/rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("retention/runs/", views.run_list, name="runs"),
    path("retention/runs/start/", views.run_start, name="run_start"),
    path("retention/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("retention/runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("retention/runs/<int:pk>/retry/", views.run_retry, name="run_retry"),
    path("retention/holds/", views.hold_list, name="holds"),
    path("retention/holds/new/", views.hold_place, name="hold_place"),
    path("retention/holds/<int:pk>/release/", views.hold_release, name="hold_release"),
]
