"""Contact pages: create, detail (logged view), edit, and the reveal of one masked field."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.access import record_access
from privacy.training.gate import TrainingRequired

from .. import people, services
from ..forms import ContactEditForm, ContactForm, RevealForm
from ..scopes import get_contact_for_user, get_enterprise_for_user
from .common import require_perm


@require_http_methods(["GET", "POST"])
def contact_create(request, enterprise_pk):
    """Add a contact; the same person (mobile or e-mail, by blind index) is offered first (clients.people)."""
    require_perm(request.user, "clients.add_contact")
    enterprise = get_enterprise_for_user(request.user, enterprise_pk, write=True)
    form = ContactForm(request.POST or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = people.find_person(request.user, mobile=data.get("mobile"), email=data.get("email"))
        if not matches or request.POST.get("confirm_new_person"):
            contact = services.contact_create(user=request.user, enterprise=enterprise, **data)
            messages.success(request, _("联系人已添加。"))
            return redirect(contact)
    return render(request, "clients/contact_form.html", {"form": form, "enterprise": enterprise, "matches": matches})


@require_POST
def contact_request_collaboration(request, token):
    """申请协办 for a person registered in another department: the owner of that record is asked;
    the requester learns nothing more about it."""
    require_perm(request.user, "clients.add_contact")
    enterprise = people.enterprise_from_token(request.user, token)
    try:
        services.collaboration_request(user=request.user, enterprise=enterprise)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已向该人员所在记录的负责人发送协办申请。"))
    back = request.POST.get("back", "")
    if back.isdigit():
        return redirect("clients:enterprise_detail", pk=int(back))
    return redirect("clients:enterprise_list")


@never_cache
def contact_detail(request, pk):
    contact = get_contact_for_user(request.user, pk)
    record_access(request.user, "view", contact, subject_ids=[contact.pk], request=request)
    return render(
        request,
        "clients/contact_detail.html",
        {
            "contact": contact,
            "enterprise": contact.enterprise,
            "reveal_form": RevealForm(),
            "revealable": services.revealable_fields(request.user, contact),
            "writable": services.can_write(request.user, contact.enterprise)
            and request.user.has_perm("clients.change_contact")
            and not services.contact_hold_message(contact),
            "daily_limit": settings.REVEAL_DAILY_LIMIT,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    """Masked values only, each with an input to replace it; a contact under a legal hold is read-only."""
    contact = get_contact_for_user(request.user, pk, write=True)
    require_perm(request.user, "clients.change_contact")
    # The page shows masked values only; opening it is still a logged view, like the detail page.
    record_access(request.user, "view", contact, purpose=_("编辑联系人"), subject_ids=[contact.pk], request=request)
    held = services.contact_hold_message(contact)
    form = None if held else ContactEditForm(request.POST or None, contact=contact)
    if request.method == "POST" and form is not None and form.is_valid():
        services.contact_update(user=request.user, contact=contact, **form.changes())
        messages.success(request, _("已保存。"))
        return redirect(contact)
    context = {"form": form, "enterprise": contact.enterprise, "contact": contact, "held": held}
    return render(
        request, "clients/contact_form.html", context, status=403 if held and request.method == "POST" else 200
    )


@never_cache
@require_POST
def contact_reveal(request, pk, field):
    """htmx: reveal one field after naming a purpose. The value is only ever in this response body."""
    contact = get_contact_for_user(request.user, pk)
    require_perm(request.user, "clients.reveal_contact")
    form = RevealForm(request.POST)
    context = {"contact": contact, "field": field}
    if not form.is_valid():
        context["error"] = " ".join(e for errs in form.errors.values() for e in errs)
        status = 400
    else:
        try:
            context["value"] = services.contact_reveal(
                user=request.user,
                contact=contact,
                field=field,
                purpose=form.purpose_text(),
                request=request,
            )
            status = 200
        except services.RevealRefused as exc:
            context["error"] = exc.messages[0]
            status = exc.status
        except TrainingRequired as exc:  # [J] no current privacy training
            context["error"], status = exc.message, 403
    response = render(request, "clients/_revealed.html", context, status=status)
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response
