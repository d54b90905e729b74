"""The PIPL scorecard (namespace "privacy", assembled by privacy/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/print/", views.scorecard_print, name="scorecard_print"),
    path("scorecard/export.xlsx", views.scorecard_export, name="scorecard_export"),
]
