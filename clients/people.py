"""No duplicate people: a contact's mobile and e-mail are looked up by blind index before it is
created (by hand or by import).

Within the user's scope the existing record is offered ("use this person"). Outside it the user
learns only that the person is registered elsewhere and by which department, with a signed 申请协办
link to that record's owner -- never the person's name, their masked details, the enterprise or
any id of the other department.
"""

from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Q
from django.http import Http404

from .models import Contact, Enterprise

COLLABORATION_SALT = "clients.contact_request_collaboration"
COLLABORATION_LINK_MAX_AGE = 30 * 60  # seconds


@dataclass
class PersonMatches:
    inside: list = field(default_factory=list)  # Contact rows the user may open
    outside: list = field(default_factory=list)  # [{"department": str, "token": str}], one per department

    def __bool__(self):
        return bool(self.inside or self.outside)


def match_q(*, mobile="", email=""):
    """Contacts whose mobile or e-mail (normalised, by blind index) is this one."""
    q = Q(pk__in=[])
    if mobile:
        q |= Q(pk__in=Contact.objects.search_mobile(mobile).values("pk"))
    if email:
        q |= Q(pk__in=Contact.objects.search_email(email).values("pk"))
    return q


def find_person(user, *, mobile="", email="", exclude_pk=None, limit=10):
    """Existing records of the person with this mobile or e-mail, split by the user's scope."""
    found = PersonMatches()
    if not (mobile or email):
        return found
    qs = Contact.objects.filter(match_q(mobile=mobile, email=email)).select_related("enterprise__department")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    rows = list(qs.order_by("pk")[:limit])
    if not rows:
        return found
    visible = set(Contact.objects.visible_to(user).filter(pk__in=[c.pk for c in rows]).values_list("pk", flat=True))
    seen_departments = set()
    for contact in rows:
        if contact.pk in visible:
            found.inside.append(contact)
            continue
        department = contact.enterprise.department
        key = department.pk if department else None
        if key in seen_departments:
            continue
        seen_departments.add(key)
        found.outside.append(
            {"department": str(department) if department else "", "token": collaboration_token(user, contact.pk)}
        )
    return found


def collaboration_token(user, contact_pk):
    """A 申请协办 link for a person found outside the user's scope: bound to the user, short-lived."""
    return signing.dumps({"c": contact_pk, "u": user.pk}, salt=COLLABORATION_SALT)


def enterprise_from_token(user, token):
    """The enterprise holding the person of a 申请协办 token issued to `user`; 404 for anything else."""
    try:
        payload = signing.loads(token, salt=COLLABORATION_SALT, max_age=COLLABORATION_LINK_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(payload, dict) or payload.get("u") != user.pk or not isinstance(payload.get("c"), int):
        raise Http404
    enterprise = Enterprise.objects.select_related("owner", "department").filter(contacts__pk=payload["c"]).first()
    if enterprise is None:
        raise Http404
    return enterprise
