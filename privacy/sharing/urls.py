"""Partners, agreements and shares (namespace "privacy", assembled by privacy/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("partners/", views.partner_list, name="partners"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/vet/", views.partner_vet, name="partner_vet"),
    path("partners/<int:pk>/evaluate/", views.partner_evaluate, name="partner_evaluate"),
    path("partners/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/file/", views.agreement_file, name="agreement_file"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="agreement_terminate"),
    path("agreements/<int:pk>/return/", views.agreement_return, name="agreement_return"),
    path("shares/", views.share_list, name="shares"),
    path("shares/new/", views.share_new, name="share_new"),
    path("shares/<int:pk>/", views.share_detail, name="share_detail"),
    path("shares/<int:pk>/download/", views.share_download, name="share_download"),
]
