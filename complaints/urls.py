from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    # Public (no login): the form, its confirmation and the tracking link.
    path("new/", views.public_new, name="public_new"),
    path("new/done/", views.public_done, name="public_done"),
    path("t/<str:reference>/<str:secret>/", views.track, name="track"),
    # Staff workspace.
    path("", views.complaint_list, name="list"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("analysis/", views.analysis, name="analysis"),
    path("analysis/export.csv", views.analysis_export, name="analysis_export"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/extensions/<int:extension_pk>/decide/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="action"),
]
