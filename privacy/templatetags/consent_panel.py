"""`{% contact_consent_panel contact %}`: the consent panel on the staff contact page."""

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("privacy/_consent_panel.html", takes_context=True)
def contact_consent_panel(context, contact):
    from privacy.consent import services
    from privacy.selfservice.forms import SendLinkForm
    from privacy.selfservice.models import SelfServiceLink

    request = context.get("request")
    user = getattr(request, "user", None)

    def can(perm):
        return bool(user and user.has_perm(perm))

    return {
        "contact": contact,
        "rows": services.consent_state(contact),
        "history": services.consent_history(contact, limit=20),
        "links_active": SelfServiceLink.objects.filter(
            contact=contact, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).count(),
        "requests": list(contact.subject_requests.order_by("-received_at")[:10]),
        "can_record": can("privacy.add_consentevent"),
        "can_link": can("privacy.add_selfservicelink"),
        "can_view_events": can("privacy.view_consentevent"),
        "can_add_request": can("privacy.add_subjectrequest"),  # [H] staff entry of a request
        "can_view_requests": can("privacy.change_subjectrequest"),
        "link_form": SendLinkForm(),
        "days": settings.SELFSERVICE_TOKEN_MAX_AGE_DAYS,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
