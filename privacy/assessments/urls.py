"""Impact assessments (namespace "privacy", assembled by privacy/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/print/", views.assessment_print, name="assessment_print"),
    path("assessments/<int:pk>/risks/", views.risk_add, name="assessment_risk_add"),
    path("assessments/<int:pk>/risks/<int:risk_pk>/remove/", views.risk_remove, name="assessment_risk_remove"),
    path("assessments/<int:pk>/mitigations/", views.mitigation_add, name="assessment_mitigation_add"),
    path(
        "assessments/<int:pk>/mitigations/<int:mitigation_pk>/done/",
        views.mitigation_done,
        name="assessment_mitigation_done",
    ),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path("assessments/<int:pk>/approve/", views.assessment_approve, name="assessment_approve"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/review/", views.assessment_review, name="assessment_review"),
    path("assessments/<int:pk>/reopen/", views.assessment_reopen, name="assessment_reopen"),
    path("assessments/<int:pk>/close/", views.assessment_close, name="assessment_close"),
]
