"""Search inside the user's scope: company name (trigram index), credit code, exact mobile or email."""

import re

from django.shortcuts import render

from ..forms import SearchForm
from ..models import Enterprise
from ..validators import normalise_credit_code
from .common import require_perm

MOBILE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


def _scoped_enterprises(user):
    # Built only by the searches that list enterprises: a mobile or e-mail search does not pay for it.
    return Enterprise.objects.visible_to(user).select_related("owner", "department")


def search(request):
    require_perm(request.user, "clients.view_enterprise")
    form = SearchForm(request.GET or None)
    enterprises, contacts, kind = [], [], ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        code = normalise_credit_code(q)
        if "@" in q or MOBILE_RE.match(q):
            kind = "email" if "@" in q else "mobile"
            if request.user.has_perm("clients.view_contact"):
                from ..models import Contact

                finder = Contact.objects.visible_to(request.user)
                finder = finder.search_email(q) if kind == "email" else finder.search_mobile(q)
                # Only what the list shows: the (masked) name and the enterprise's name. Fewer
                # columns, and no other encrypted field of the contact leaves the database.
                contacts = list(
                    finder.select_related("enterprise").only("id", "name", "subject_key", "enterprise__name")[:50]
                )
        elif len(code) == 18 and code.isalnum():
            kind = "credit_code"
            enterprises = list(_scoped_enterprises(request.user).filter(credit_code=code)[:50])
        else:
            kind = "name"
            # name_contains: matching ids from the trigram index first, then the scope (see
            # EnterpriseQuerySet.name_contains). No ORDER BY in SQL: with "ORDER BY id LIMIT" the
            # planner walks the primary key instead of the index; the (at most 50) matches are sorted here.
            enterprises = sorted(
                _scoped_enterprises(request.user).name_contains(q).order_by()[:50], key=lambda e: -e.pk
            )
    return render(
        request, "clients/search.html", {"form": form, "enterprises": enterprises, "contacts": contacts, "kind": kind}
    )
