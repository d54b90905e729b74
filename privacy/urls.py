"""Staff consent pages (namespace "privacy") and the public policy page."""

from django.urls import path

from . import retention_views, views

app_name = "privacy"

urlpatterns = [
    path("policy/", views.policy, name="policy"),  # public
    path("contacts/<int:pk>/consent/", views.consent_record, name="consent_record"),
    path("contacts/<int:pk>/link/", views.link_send, name="link_send"),
    path("contacts/<int:pk>/link/revoke/", views.link_revoke, name="link_revoke"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("consent/coverage/", views.coverage, name="coverage"),
    path("consent/export.csv", views.states_export, name="states_export"),
    path("consent/renewals/", views.renewals, name="renewals"),
    path("outreach/export.csv", views.outreach_export, name="outreach_export"),
    path("requests/", views.requests_list, name="requests"),
    # retention [F]: privacy officer only
    path("retention/", retention_views.retention_home, name="retention"),
    path("retention/runs/", retention_views.run_list, name="runs"),
    path("retention/runs/start/", retention_views.run_start, name="run_start"),
    path("retention/runs/<int:pk>/", retention_views.run_detail, name="run_detail"),
    path("retention/runs/<int:pk>/progress/", retention_views.run_progress, name="run_progress"),
    path("retention/holds/", retention_views.hold_list, name="holds"),
    path("retention/holds/new/", retention_views.hold_place, name="hold_place"),
    path("retention/holds/<int:pk>/release/", retention_views.hold_release, name="hold_release"),
]
