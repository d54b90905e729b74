"""The "erase now" page (mounted by privacy/urls.py, namespace "privacy")."""

from django.urls import path

from . import erasure_views

urlpatterns = [
    path("contacts/<int:pk>/erase/", erasure_views.contact_erase_view, name="contact_erase"),
]
