"""The privacy officer's "erase now" on the contact page: a confirmation page, then `contact_erase`.

GET shows what erasure does and asks for a reason and a confirmation; POST erases. Anyone who
cannot see the contact gets 404 (`get_contact_for_user`), a user without
``privacy.erase_contact`` 403. A refusal (legal hold, retention floor) is shown on the page with
its reason, never a 500.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from clients.scopes import get_contact_for_user

from .erasure import ErasureRefused, contact_erase, erasure_refusal


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("删除原因"),
        max_length=200,
        help_text=gettext_lazy("例如：个人提出删除请求、处理目的已实现。不要填写个人信息。"),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("我已确认：删除后该联系人的个人信息无法恢复，其自助链接和信息副本立即失效。"),
        required=True,
    )


@require_http_methods(["GET", "POST"])
def contact_erase_view(request, pk):
    contact = get_contact_for_user(request.user, pk)
    if not request.user.has_perm("privacy.erase_contact"):
        raise PermissionDenied
    form = ErasureForm(request.POST or None)
    refusal = erasure_refusal(contact)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = contact_erase(contact, reason=form.cleaned_data["reason"], actor=request.user)
        except ErasureRefused as exc:
            refusal, status = exc, 409
        else:
            messages.success(
                request,
                _("联系人 #%(pk)s 的个人信息已删除：数据密钥已销毁，%(entries)s 条审计记录已脱敏。")
                % {"pk": result.contact_id, "entries": result.entries_redacted},
            )
            return redirect("clients:contact_detail", pk=contact.pk)
    elif request.method == "POST":
        status = 400
    context = {"contact": contact, "form": form, "refusal": refusal}
    return render(request, "privacy/requests/contact_erase.html", context, status=status)
