"""Staff pages of data-subject requests (mounted by privacy/urls.py, namespace "privacy")."""

from django.urls import path

from . import views

urlpatterns = [
    path("requests/", views.requests_list, name="requests"),
]
