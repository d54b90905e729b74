"""Contact pages: create, detail (logged view), edit, and the reveal of one masked field."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.access import record_access

from .. import services
from ..forms import ContactForm, RevealForm
from ..scopes import get_contact_for_user, get_enterprise_for_user
from .common import require_perm


@require_http_methods(["GET", "POST"])
def contact_create(request, enterprise_pk):
    require_perm(request.user, "clients.add_contact")
    enterprise = get_enterprise_for_user(request.user, enterprise_pk, write=True)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = services.contact_create(user=request.user, enterprise=enterprise, **form.cleaned_data)
        messages.success(request, _("联系人已添加。"))
        return redirect(contact)
    return render(request, "clients/contact_form.html", {"form": form, "enterprise": enterprise})


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
            and request.user.has_perm("clients.change_contact"),
            "daily_limit": settings.REVEAL_DAILY_LIMIT,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    contact = get_contact_for_user(request.user, pk, write=True)
    # Editing shows the stored values: that is a read of personal data, logged like a detail view.
    record_access(request.user, "view", contact, purpose=_("编辑联系人"), subject_ids=[contact.pk], request=request)
    form = ContactForm(request.POST or None, initial=services.contact_initial(contact))
    if request.method == "POST" and form.is_valid():
        services.contact_update(user=request.user, contact=contact, **form.cleaned_data)
        messages.success(request, _("已保存。"))
        return redirect(contact)
    return render(
        request, "clients/contact_form.html", {"form": form, "enterprise": contact.enterprise, "contact": contact}
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
    response = render(request, "clients/_revealed.html", context, status=status)
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response
