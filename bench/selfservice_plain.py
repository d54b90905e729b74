"""The plain equivalent of the self-service page, for bench/selfservice.sh (issue 16's restated target).

The same page written the straightforward Django way: a normal function view behind the same
middleware, rendered with `django.shortcuts.render` (the standard context processors), the person
found through the session (session middleware; `/bench-plain/open/` puts the contact id in it
once), the same rows read through the ORM -- the contact's fields from an UNENCRYPTED copy of its
row (`bench_plain_contact`, filled by the bench script) -- the same template, and one access row
(event + subject) written in a transaction. Exists only under bench.selfservice_bench settings.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from audit.models import AccessEvent, AccessSubject
from clients.models import Contact, Enterprise
from complaints.models import Complaint
from privacy.consent.models import ConsentEvent, ConsentState, PrivacyPolicy, Purpose
from privacy.requests.models import SubjectRequest
from privacy.selfservice import rendering
from privacy.selfservice.prepared import COUNTED_ACTIONS, USE_ACTIONS

SESSION_KEY = "bench_plain_contact"


class PlainContact(models.Model):
    """The contact's row without encryption (a table the bench script creates and fills)."""

    enterprise_id = models.BigIntegerField()
    name = models.CharField(max_length=50)
    mobile = models.CharField(max_length=30, blank=True)
    email = models.CharField(max_length=200, blank=True)
    wechat = models.CharField(max_length=60, blank=True)
    id_number = models.CharField(max_length=18, blank=True)
    position = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=20)

    class Meta:
        app_label = "bench_plain"
        managed = False
        db_table = "bench_plain_contact"

    def __str__(self):
        return f"plain contact {self.pk}"

    def get_source_display(self):
        from clients.models.choices import Source

        return Source(self.source).label


CREATE_SQL = """
CREATE TABLE IF NOT EXISTS bench_plain_contact (
  id bigint PRIMARY KEY, enterprise_id bigint NOT NULL, name varchar(50) NOT NULL, mobile varchar(30) NOT NULL,
  email varchar(200) NOT NULL, wechat varchar(60) NOT NULL, id_number varchar(18) NOT NULL,
  position varchar(100) NOT NULL, source varchar(20) NOT NULL)
"""


@login_not_required
def plain_open(request, pk):
    request.session[SESSION_KEY] = pk
    return HttpResponse("ok")


def _local(value, fmt):
    return timezone.localtime(value).strftime(fmt)


def _rows(contact_id):
    """The page's rows in the shape `rendering._page_data` takes, read through the ORM."""
    now = timezone.now()
    today = timezone.localdate()
    states = {s.purpose_id: s for s in ConsentState.objects.filter(contact_id=contact_id, recipient__isnull=True)}
    purposes = []
    for p in Purpose.objects.filter(is_active=True).order_by("order", "code"):
        s = states.get(p.pk)
        purposes.append(
            (
                p.code,
                p.name,
                p.name_en,
                p.description,
                p.description_en,
                p.legal_basis,
                p.requires_separate_consent,
                s is not None,
                bool(s and s.granted),
                bool(s and s.needs_renewal),
                s is None or s.renewal_due_at is None or s.renewal_due_at > now,
                p.provides_to_others,
            )
        )
    history = [
        (
            _local(e.at, "%Y-%m-%d %H:%M"),
            e.purpose.name,
            e.purpose.name_en,
            e.action,
            e.channel,
            e.policy.version if e.policy_id else None,
        )
        for e in ConsentEvent.objects.filter(contact_id=contact_id)
        .select_related("purpose", "policy")
        .order_by("-at", "-id")[:100]
    ]
    uses = [
        (_local(s.at, "%Y-%m-%d %H:%M"), s.action, s.event.purpose, (s.event.detail or {}).get("recipient"))
        for s in AccessSubject.objects.filter(contact_id=contact_id, action__in=USE_ACTIONS, event__redacted=False)
        .select_related("event")
        .order_by("-at")[:50]
    ]
    months = [
        (row["month"].strftime("%Y-%m"), row["action"], row["n"])
        for row in AccessSubject.objects.filter(
            contact_id=contact_id, action__in=COUNTED_ACTIONS, event__redacted=False
        )
        .annotate(month=TruncMonth("at"))
        .values("month", "action")
        .annotate(n=Count("id"))
        .order_by("-month")[:48]
    ]
    requests = [
        (r.pk, r.kind, r.status, r.due_date.strftime("%Y-%m-%d"))
        for r in SubjectRequest.objects.filter(contact_id=contact_id).order_by("-received_at", "-id")[:20]
    ]
    policy = (
        PrivacyPolicy.objects.filter(published_at__isnull=False, effective_date__lte=today)
        .order_by("-effective_date", "-published_at")
        .values_list("version", flat=True)
        .first()
    )
    complaints = [
        (c.reference, c.category.name, c.status, _local(c.received_at, "%Y-%m-%d"))
        for c in Complaint.objects.filter(contact_id=contact_id)
        .select_related("category")
        .order_by("-received_at", "-id")[:20]
    ]
    recipients = [
        (s.purpose.code, s.recipient_id, s.recipient.name, s.granted, True, True)
        for s in ConsentState.objects.filter(contact_id=contact_id, recipient__isnull=False).select_related(
            "purpose", "recipient"
        )
    ]
    return purposes, history, uses, months, requests, policy, complaints, recipients


@login_not_required
def plain_page(request):
    contact_id = request.session.get(SESSION_KEY)
    if contact_id is None:
        raise Http404
    contact = PlainContact.objects.get(pk=contact_id)
    enterprise = Enterprise.objects.get(pk=contact.enterprise_id)
    with transaction.atomic():
        event = AccessEvent.objects.create(
            action=AccessEvent.Action.SELFSERVICE_VIEW,
            content_type=ContentType.objects.get_for_model(Contact),
            object_id=str(contact_id),
            detail={},
            at=timezone.now(),
        )
        AccessSubject.objects.create(event=event, contact_id=contact_id, action=event.action, at=event.at)
    language = translation.get_language()
    context = {
        "contact": contact,
        "enterprise": enterprise,
        **rendering._page_data(_rows(contact_id)),
        "officer_contact": settings.PRIVACY_OFFICER_CONTACT,
        "w": rendering._wording(language, settings.ZONE_NAME),
        "frame": rendering._frame(language),
    }
    return render(request, "privacy/selfservice/home.html", context)
