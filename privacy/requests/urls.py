"""Staff pages of data-subject requests (mounted by privacy/urls.py, namespace "privacy")."""

from django.urls import path

from . import views

urlpatterns = [
    path("requests/", views.requests_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/proof/", views.request_proof, name="request_proof"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("contacts/<int:contact_pk>/request/", views.request_new, name="request_new"),
]
