"""Staff consent pages and the public policy page (mounted by privacy/urls.py, namespace "privacy")."""

from django.urls import path

from . import views

urlpatterns = [
    path("policy/", views.policy, name="policy"),  # public
    path("policy/versions/", views.policy_versions, name="policy_versions"),
    path("policy/versions/new/", views.policy_draft, name="policy_new"),
    path("policy/versions/<int:pk>/edit/", views.policy_draft, name="policy_edit"),
    path("policy/versions/<int:pk>/publish/", views.policy_publish, name="policy_publish"),
    path("contacts/<int:pk>/consent/", views.consent_record, name="consent_record"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("consent/coverage/", views.coverage, name="coverage"),
    path("consent/export.csv", views.states_export, name="states_export"),
    path("consent/renewals/", views.renewals, name="renewals"),
    path("outreach/export.csv", views.outreach_export, name="outreach_export"),
    path("satisfaction/export.csv", views.satisfaction_export, name="satisfaction_export"),
]
