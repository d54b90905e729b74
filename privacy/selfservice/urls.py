"""Client self-service pages, mounted at /c/ (public: the signed token replaces an account).

/c/<token>/ is the door (views.door): it swaps the token for a cookie and redirects to /c/; the
pages' own routes come first, so that none of their names can be taken for a token.

`staff_urlpatterns` are the staff's link actions; `privacy/urls.py` mounts them in the
"privacy" namespace.
"""

from django.urls import path

from privacy.requests import package_views
from privacy.requests import selfservice_views as request_views

from . import staff_views, views

app_name = "selfservice"

urlpatterns = [
    path("", views.home, name="home"),
    path("consent/", views.consent, name="consent"),
    path("separate/<slug:code>/", views.separate, name="separate"),
    path("separate/<slug:code>/<int:recipient_id>/", views.separate, name="separate_recipient"),
    path("withdraw-all/", views.withdraw_all, name="withdraw_all"),
    path("request/", views.subject_request, name="request"),
    # [H] a short form per kind, the request's page (code, reply, answer), the explanation page
    path("request/<int:pk>/", request_views.request_status, name="request_status"),
    path("request/<int:pk>/explanation/", request_views.request_explanation, name="request_explanation"),
    path("request/<slug:kind>/", request_views.request_kind, name="request_kind"),
    # [H] the public request form for a person without a link (name + mobile or e-mail, then a code)
    path("ask/", request_views.ask, name="ask"),
    path("ask/code/", request_views.ask_code, name="ask_code"),
    path("complaint/", views.complaint, name="complaint"),
    path("package/<str:token>/", package_views.package_download, name="package"),
    path("<str:token>/", views.door, name="door"),
    path("<str:token>/<path:rest>", views.door, name="door_to"),
]

staff_urlpatterns = [
    path("contacts/<int:pk>/link/", staff_views.link_send, name="link_send"),
    path("contacts/<int:pk>/link/revoke/", staff_views.link_revoke, name="link_revoke"),
]
