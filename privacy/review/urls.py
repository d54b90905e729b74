"""Policy and law review (namespace "privacy", assembled by privacy/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("review/", views.review_home, name="review"),
    path("review/policy/", views.policy_review, name="policy_review"),
    path("review/laws/new/", views.law_edit, name="law_create"),
    path("review/laws/<int:pk>/edit/", views.law_edit, name="law_edit"),
    path("review/laws/<int:pk>/review/", views.law_review, name="law_review"),
]
