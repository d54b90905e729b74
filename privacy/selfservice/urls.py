"""Client self-service pages, mounted at /c/ (public: the signed token replaces an account).

`staff_urlpatterns` are the staff's link actions; `privacy/urls.py` mounts them in the
"privacy" namespace.
"""

from django.urls import path

from . import staff_views, views

app_name = "selfservice"

urlpatterns = [
    path("", views.invalid, name="invalid"),
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/consent/", views.consent, name="consent"),
    path("<str:token>/separate/<slug:code>/", views.separate, name="separate"),
    path("<str:token>/separate/<slug:code>/<int:recipient_id>/", views.separate, name="separate_recipient"),
    path("<str:token>/withdraw-all/", views.withdraw_all, name="withdraw_all"),
    path("<str:token>/request/", views.subject_request, name="request"),
    path("<str:token>/complaint/", views.complaint, name="complaint"),
]

staff_urlpatterns = [
    path("contacts/<int:pk>/link/", staff_views.link_send, name="link_send"),
    path("contacts/<int:pk>/link/revoke/", staff_views.link_revoke, name="link_revoke"),
]
