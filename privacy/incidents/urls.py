"""Security incidents and drills (namespace "privacy", assembled by privacy/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/drills/", views.drills, name="drills"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/people/", views.incident_people, name="incident_people"),
    path("incidents/<int:pk>/tasks/", views.incident_task_add, name="incident_task_add"),
    path("incidents/<int:pk>/tasks/<int:task_pk>/done/", views.incident_task_done, name="incident_task_done"),
    path("incidents/<int:pk>/timeline/", views.incident_note, name="incident_note"),
    path("incidents/<int:pk>/report/", views.incident_report, name="incident_report"),
    path("incidents/<int:pk>/notice/", views.incident_notice, name="incident_notice"),
    path("incidents/<int:pk>/notify/", views.incident_notify, name="incident_notify"),
    path("incidents/<int:pk>/contained/", views.incident_contained, name="incident_contained"),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident_close"),
]
