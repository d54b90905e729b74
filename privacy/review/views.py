"""Policy and law review page: the policy's review (history and next date) and the laws register.

The privacy officer records reviews and edits the register; auditors read it; anyone else gets 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clients.roles import has_role

from . import services
from .forms import LawEntryForm, ReviewForm
from .models import LawEntry, PolicyReview


def _require_reader(user):
    if not user.has_perm("privacy.view_lawentry"):
        raise Http404


def _require_officer(user):
    _require_reader(user)
    if not has_role(user, "privacy_officer", "admin"):
        raise Http404


def get_law_entry_for_user(user, pk, *, write=False):
    (_require_officer if write else _require_reader)(user)
    entry = LawEntry.objects.filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def _flash(request, exc):
    for message in exc.messages:
        messages.error(request, message)


def review_home(request):
    _require_reader(request.user)
    from privacy.consent.models import PrivacyPolicy

    return render(
        request,
        "privacy/review/home.html",
        {
            "policy": PrivacyPolicy.objects.current(),
            "reviews": PolicyReview.objects.select_related("reviewed_by", "policy")[:10],
            "entries": LawEntry.objects.all(),
            "today": timezone.localdate(),
            "can_edit": has_role(request.user, "privacy_officer", "admin"),
            "form": ReviewForm(),
        },
    )


@require_POST
def policy_review(request):
    _require_officer(request.user)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.policy_review_record(user=request.user, **form.cleaned_data)
            messages.success(request, _("已登记隐私政策复核。"))
        except ValidationError as exc:
            _flash(request, exc)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("privacy:review")


@require_http_methods(["GET", "POST"])
def law_edit(request, pk=None):
    entry = get_law_entry_for_user(request.user, pk, write=True) if pk else None
    if entry is None:
        _require_officer(request.user)
    form = LawEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.law_entry_save(user=request.user, entry=form.save(commit=False))
        messages.success(request, _("已保存。"))
        return redirect("privacy:review")
    return render(request, "privacy/review/law_form.html", {"form": form, "entry": entry})


@require_http_methods(["GET", "POST"])
def law_review(request, pk):
    entry = get_law_entry_for_user(request.user, pk, write=True)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.law_entry_review(user=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("已登记复核。"))
            return redirect("privacy:review")
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "privacy/review/law_review.html", {"form": form, "entry": entry})
