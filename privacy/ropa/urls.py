"""The record of processing activities (namespace "privacy", assembled by privacy/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("ropa/", views.ropa_page, name="ropa"),
    path("ropa/export/", views.ropa_export, name="ropa_export"),
]
