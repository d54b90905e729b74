"""Client self-service pages, mounted at /c/ (public: the signed token replaces an account)."""

from django.urls import path

from . import selfservice as views

app_name = "selfservice"

urlpatterns = [
    path("", views.invalid, name="invalid"),
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/consent/", views.consent, name="consent"),
    path("<str:token>/separate/<slug:code>/", views.separate, name="separate"),
    path("<str:token>/withdraw-all/", views.withdraw_all, name="withdraw_all"),
    path("<str:token>/request/", views.subject_request, name="request"),
    path("<str:token>/complaint/", views.complaint, name="complaint"),
]
