from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    # trail (auditor and privacy officer)
    path("", views.trail, {"kind": "log"}, name="trail"),
    path("access/", views.trail, {"kind": "access"}, name="access"),
    path("signins/", views.trail, {"kind": "signins"}, name="signins"),
    path("export/<str:kind>.csv", views.export, name="export"),
    # anomalies
    path("anomalies/", views.anomaly_list, name="anomalies"),
    path("anomalies/<int:pk>/finding/", views.anomaly_open_finding, name="anomaly_finding"),
    # internal audits
    path("engagements/", views.engagement_list, name="engagement_list"),
    path("engagements/new/", views.engagement_edit, name="engagement_create"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("engagements/<int:pk>/report/", views.engagement_report, name="engagement_report"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    # rectifications (owners see their own)
    path("rectifications/mine/", views.my_rectifications, name="my_rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/evidence/", views.rectification_evidence, name="rectification_evidence"),
]
