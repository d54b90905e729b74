"""Staff pages: partners and agreements (the privacy officer; auditors read), and shares (officers).

Partners and agreements belong to the zone: whoever may view them sees all of them; anyone else
gets 404. Only the privacy officer changes them (the services refuse anyone else). A share is
seen by its sharer, the privacy officer and auditors; its recipient file is downloaded once, by
the sharer. Every write goes through `privacy.sharing.services`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clients.models import Contact
from clients.roles import has_role
from privacy import files
from privacy.crypto import DecryptionError, SubjectKeyShredded
from zhaoshang.core.db import any_of

from . import forms, recipient_file, services
from .models import Agreement, DataShare, Partner, ReturnDeletion

PEOPLE_SHOWN = 200


def _errors(form, exc):
    """Put a service's ValidationError on the form: per field where it names one, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _officer(user):
    return has_role(user, "privacy_officer")


def get_partner_for_user(user, pk, *, write=False):
    partner = Partner.objects.visible_to(user).filter(pk=pk).first()
    if partner is None:
        raise Http404
    if write and not _officer(user):
        raise PermissionDenied
    return partner


def get_agreement_for_user(user, pk, *, write=False):
    agreement = Agreement.objects.visible_to(user).select_related("partner").filter(pk=pk).first()
    if agreement is None:
        raise Http404
    if write and not _officer(user):
        raise PermissionDenied
    return agreement


def _require_view(user, perm):
    if not user.has_perm(perm):
        raise Http404


# --- Partners ------------------------------------------------------------------------------------


def partner_list(request):
    _require_view(request.user, "privacy.view_partner")
    partners = (
        Partner.objects.visible_to(request.user)
        .select_related(None)
        .defer("contact_person", "contact_phone", "contact_email")
        .annotate(
            n_agreements=Count(
                "agreements",
                filter=Q(
                    agreements__signed_at__isnull=False,
                    agreements__terminated_at__isnull=True,
                    agreements__valid_until__gte=timezone.localdate(),
                ),
            )
        )
        .order_by("name", "pk")
    )
    return render(
        request,
        "privacy/sharing/partner_list.html",
        {"partners": partners[:500], "today": timezone.localdate(), "can_edit": _officer(request.user)},
    )


@require_http_methods(["GET", "POST"])
def partner_create(request):
    _require_view(request.user, "privacy.view_partner")
    if not _officer(request.user):
        raise PermissionDenied
    form = forms.PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已登记合作方。请完成审查后再签订协议。"))
            return redirect("privacy:partner_detail", pk=partner.pk)
    return render(request, "privacy/sharing/partner_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def partner_edit(request, pk):
    partner = get_partner_for_user(request.user, pk, write=True)
    form = forms.PartnerForm(request.POST or None, initial=forms.PartnerForm.initial_for(partner))
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(partner=partner, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("privacy:partner_detail", pk=partner.pk)
    return render(request, "privacy/sharing/partner_form.html", {"form": form, "partner": partner})


def partner_detail(request, pk):
    partner = get_partner_for_user(request.user, pk)
    from privacy.models import ImpactAssessment

    return render(
        request,
        "privacy/sharing/partner_detail.html",
        {
            "partner": partner,
            "evaluations": partner.evaluations.select_related("evaluator")[:20],
            "agreements": partner.agreements.select_related(None).order_by("-valid_until", "-pk"),
            "assessments": ImpactAssessment.objects.filter(partner=partner).order_by("-created_at")[:20],
            "vet_form": forms.VetForm(initial={"status": partner.vetting_status}),
            "can_edit": _officer(request.user),
            "today": timezone.localdate(),
        },
    )


@require_POST
def partner_vet(request, pk):
    partner = get_partner_for_user(request.user, pk, write=True)
    form = forms.VetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审查结论无效。"))
    else:
        services.partner_vet(partner=partner, user=request.user, status=form.cleaned_data["status"])
        messages.success(request, _("已记录审查结论。"))
    return redirect("privacy:partner_detail", pk=partner.pk)


@require_http_methods(["GET", "POST"])
def partner_evaluate(request, pk):
    partner = get_partner_for_user(request.user, pk, write=True)
    form = forms.EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_evaluate(partner=partner, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已记录评估。"))
            return redirect("privacy:partner_detail", pk=partner.pk)
    return render(request, "privacy/sharing/evaluation_form.html", {"form": form, "partner": partner})


# --- Agreements ----------------------------------------------------------------------------------


def agreement_list(request):
    _require_view(request.user, "privacy.view_agreement")
    agreements = Agreement.objects.visible_to(request.user).select_related(None).select_related("partner")
    show = request.GET.get("show", "")
    if show == "return":
        agreements = agreements.filter(return_deletion=ReturnDeletion.PENDING)
    return render(
        request,
        "privacy/sharing/agreement_list.html",
        {
            "agreements": agreements.order_by("valid_until", "pk")[:500],
            "show": show,
            "today": timezone.localdate(),
            "pending_returns": Agreement.objects.filter(return_deletion=ReturnDeletion.PENDING).count(),
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_create(request, pk):
    partner = get_partner_for_user(request.user, pk, write=True)
    form = forms.AgreementForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        purposes = data.pop("purposes")
        try:
            agreement = services.agreement_create(user=request.user, partner=partner, purposes=purposes, **data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已登记协议草稿。核对条款后请上传签署文本。"))
            return redirect("privacy:agreement_detail", pk=agreement.pk)
    return render(request, "privacy/sharing/agreement_form.html", {"form": form, "partner": partner})


@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    if agreement.signed_at:
        messages.error(request, _("协议已登记签署，不能再修改；如内容变更，请登记新的协议。"))
        return redirect("privacy:agreement_detail", pk=agreement.pk)
    form = forms.AgreementForm(
        request.POST or None, partner=agreement.partner, initial=forms.AgreementForm.initial_for(agreement)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        purposes = data.pop("purposes")
        try:
            services.agreement_update(agreement=agreement, user=request.user, purposes=purposes, **data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("privacy:agreement_detail", pk=agreement.pk)
    return render(
        request,
        "privacy/sharing/agreement_form.html",
        {"form": form, "partner": agreement.partner, "agreement": agreement},
    )


def agreement_detail(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "privacy/sharing/agreement_detail.html",
        {
            "agreement": agreement,
            "purposes": list(agreement.purposes.all()),
            "categories": agreement.categories,
            "terms": [
                (label, getattr(agreement, name), name in services_required(agreement))
                for name, label in agreement_terms()
            ],
            "missing": agreement.missing_terms(),
            "status": agreement.status(today),
            "days_left": agreement.days_left(today),
            "sign_form": forms.SignForm(),
            "terminate_form": forms.TerminateForm(),
            "return_form": forms.ReturnConfirmForm(),
            "can_edit": _officer(request.user),
            "shares": agreement.shares.select_related(None).select_related("created_by").order_by("-created_at")[:20],
        },
    )


def agreement_terms():
    from .models import TERMS

    return list(TERMS.items())


def services_required(agreement):
    from .models import REQUIRED_TERMS

    return set(REQUIRED_TERMS.get(agreement.kind, ()))


@require_POST
def agreement_sign(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    form = forms.SignForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("privacy:agreement_detail", pk=agreement.pk)
    try:
        services.agreement_sign(
            agreement=agreement,
            user=request.user,
            upload=form.cleaned_data["signed_file"],
            content_type=form.content_type,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已登记签署，签署文本已加密保存。"))
    return redirect("privacy:agreement_detail", pk=agreement.pk)


@never_cache
def agreement_file(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    if not agreement.signed_file:
        raise Http404
    try:
        data = services.agreement_signed_file(agreement)
    except (OSError, SubjectKeyShredded, DecryptionError):
        messages.error(request, _("签署文本无法读取（文件缺失或已损坏），请联系系统管理员。"))
        return redirect("privacy:agreement_detail", pk=agreement.pk)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        agreement.signed_file_type, "bin"
    )
    return files.attachment_response(
        data, content_type=agreement.signed_file_type, filename=f"agreement-{agreement.pk}.{extension}"
    )


@require_http_methods(["GET", "POST"])
def agreement_terminate(request, pk):
    """GET: what terminating does (confirm page); POST: terminate."""
    agreement = get_agreement_for_user(request.user, pk, write=True)
    form = forms.TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_terminate(agreement=agreement, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("协议已终止：请跟进接收方返还或删除个人信息，并在收到确认后登记。"))
            return redirect("privacy:agreement_detail", pk=agreement.pk)
    return render(request, "privacy/sharing/agreement_terminate.html", {"agreement": agreement, "form": form})


@require_POST
def agreement_return(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    form = forms.ReturnConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明确认方式（如删除证明、返还清单）。"))
    else:
        try:
            services.agreement_return_confirm(agreement=agreement, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已登记返还或删除确认。"))
    return redirect("privacy:agreement_detail", pk=agreement.pk)


# --- Shares --------------------------------------------------------------------------------------


def _people(request):
    """(filter form, the filtered contacts the user may see)."""
    filters = forms.PeopleFilterForm(request.GET or None)
    contacts = Contact.objects.visible_to(request.user)
    return filters, filters.apply(contacts)


def _share_context(request, form, filters, contacts, check=None):
    shown = list(contacts.select_related("enterprise").order_by("pk")[:PEOPLE_SHOWN])
    chosen = set(form.data.getlist("contacts")) if form.is_bound else set()
    return {
        "form": form,
        "filters": filters,
        "people": shown,
        "people_total": contacts.count(),
        "people_shown": PEOPLE_SHOWN,
        "chosen": {int(pk) for pk in chosen if str(pk).isdigit()},
        "check": check,
        "check_labels": [str(recipient_file.FIELDS[code][0]) for code in check.fields] if check else [],
        "query": request.GET.urlencode(),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def share_new(request):
    """GET: choose; POST: check (a preview with the counts) or, confirmed, share."""
    if not request.user.has_perm("privacy.add_datashare"):
        raise Http404
    filters, contacts = _people(request)
    submitted = [int(pk) for pk in request.POST.getlist("contacts") if pk.isdigit()][:20000]
    allowed = list(Contact.objects.visible_to(request.user).filter(pk__in=submitted).values_list("pk", flat=True))
    form = forms.ShareForm(request.POST or None, people=allowed)
    check = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["mode"] == forms.MODE_FILTER:
            people, selection = contacts, {"mode": "filter", **filters.selection()}
        else:
            people = Contact.objects.filter(any_of("pk", data["contacts"]))
            selection = {"mode": "selection", "count": len(data["contacts"])}
        arguments = {
            "user": request.user,
            "partner": data["partner"],
            "agreement": data["agreement"],
            "purpose": data["purpose"],
            "fields": data["fields"],
            "contacts": people,
        }
        try:
            if "confirm" in request.POST:
                share = services.share_create(
                    **arguments,
                    confirmed_exclusions=data.get("confirmed_exclusions"),
                    selection=selection,
                    request=request,
                )
                messages.success(
                    request,
                    _("已向“%(partner)s”提供 %(n)s 人的个人信息，记录编号 %(ref)s。接收方文件只能下载一次。")
                    % {"partner": share.partner.name, "n": share.person_count, "ref": share.reference},
                )
                return redirect("privacy:share_detail", pk=share.pk)
            check = services.share_check(**arguments)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "confirm":
                check = services.share_check(**arguments)
            _errors(form, exc)
    return render(request, "privacy/sharing/share_form.html", _share_context(request, form, filters, contacts, check))


def share_list(request):
    shares = DataShare.objects.visible_to(request.user)
    if not request.user.has_perm("privacy.add_datashare") and not request.user.has_perm("privacy.view_datashare"):
        raise Http404
    shares = (
        shares.select_related(None).select_related("partner", "purpose", "created_by").order_by("-created_at", "-pk")
    )
    return render(
        request,
        "privacy/sharing/share_list.html",
        {"shares": shares[:200], "can_share": request.user.has_perm("privacy.add_datashare")},
    )


def share_detail(request, pk):
    share = services.get_share_for_user(request.user, pk)
    labels = dict(recipient_file.field_choices())
    return render(
        request,
        "privacy/sharing/share_detail.html",
        {
            "share": share,
            "field_labels": [labels.get(code, code) for code in share.fields],
            "can_download": share.created_by_id == request.user.pk and share.status == DataShare.Status.READY,
        },
    )


@never_cache
@require_POST
def share_download(request, pk):
    share = services.get_share_for_user(request.user, pk)
    try:
        data = services.share_download(share=share, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        return redirect("privacy:share_detail", pk=share.pk)
    except (OSError, SubjectKeyShredded, DecryptionError):
        messages.error(request, _("接收方文件无法读取（文件缺失或已损坏），请联系个人信息保护负责人。"))
        return redirect("privacy:share_detail", pk=share.pk)
    return files.attachment_response(data, content_type=recipient_file.XLSX, filename=f"{share.reference}.xlsx")
