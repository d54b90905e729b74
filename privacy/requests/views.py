"""Staff pages of data-subject requests: the list of requests received ([H] adds their processing)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from privacy.shortcuts import require_perms, visible_contacts

from .models import SubjectRequest


@never_cache
def requests_list(request):
    """Data-subject requests received (processing comes in a later issue)."""
    require_perms(request.user, "privacy.view_subjectrequest")
    rows = list(
        SubjectRequest.objects.filter(contact__in=visible_contacts(request.user).values("pk"))
        .select_related("contact__enterprise")
        .order_by("due_date", "pk")[:200]
    )
    return render(request, "privacy/requests.html", {"rows": rows, "today": timezone.localdate()})
