"""Legal holds and restrictions of processing: who is held, and the one check every use asks.

Two effects (PIPL Art. 47):

- **No purge.** `*_held(now)` build the SQL conditions the retention engine excludes. They count
  an active `LegalHold` row (any kind) and the plain ``legal_hold`` flags on Enterprise, Contact
  and Project. A hold on an enterprise covers its contacts, projects and their follow-ups; a
  hold on a project covers its follow-ups and the contacts of its enterprise; a hold on a
  contact covers the contact, its consents, links and requests, and the follow-up notes of its
  enterprise's projects (they may name the contact).
- **No use but storage.** `ensure_not_restricted(obj, use)` raises `ProcessingRestricted` (a
  `PermissionDenied`, so an unhandled one answers 403, never 500) while an active `LegalHold`
  covers `obj`. Reveal, export, outreach and sharing services call it before they act.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Use(models.TextChoices):
    REVEAL = "reveal", gettext_lazy("查看明文")
    EXPORT = "export", gettext_lazy("导出")
    OUTREACH = "outreach", gettext_lazy("推送与外联")
    SHARING = "sharing", gettext_lazy("向第三方提供")
    EDIT = "edit", gettext_lazy("修改")


class ProcessingRestricted(PermissionDenied):
    """The record is under a legal hold or restriction: only storage is allowed."""

    def __init__(self, hold, use):
        self.hold = hold
        self.use = use
        label = Use(use).label if use in Use.values else use
        if hold.until:
            message = _("该记录处于%(kind)s状态（至 %(until)s），除存储外不得进行任何处理，包括%(use)s。") % {
                "kind": hold.get_kind_display(),
                "until": timezone.localtime(hold.until).strftime("%Y-%m-%d"),
                "use": label,
            }
        else:
            message = _("该记录处于%(kind)s状态，除存储外不得进行任何处理，包括%(use)s。") % {
                "kind": hold.get_kind_display(),
                "use": label,
            }
        super().__init__(message)
        self.message = message


def _model(label):
    return apps.get_model(label)


def _holds(now):
    return _model("privacy.LegalHold").objects.active(now)


# --- Conditions for querysets (the purge) ------------------------------------------------------


def enterprise_held(ref, now):
    """An Exists-condition: the enterprise `ref` (an OuterRef to its id) is held itself."""
    Enterprise = _model("clients.Enterprise")
    return Exists(Enterprise._base_manager.filter(pk=ref, legal_hold=True)) | Exists(_holds(now).filter(enterprise=ref))


def projects_of_enterprise_held(ref, now):
    """Any project of enterprise `ref` is held."""
    Project = _model("clients.Project")
    return Exists(Project._base_manager.filter(enterprise=ref, legal_hold=True)) | Exists(
        _holds(now).filter(project__enterprise=ref)
    )


def contacts_of_enterprise_held(ref, now):
    """Any contact of enterprise `ref` is held."""
    Contact = _model("clients.Contact")
    return Exists(Contact._base_manager.filter(enterprise=ref, legal_hold=True)) | Exists(
        _holds(now).filter(contact__enterprise=ref)
    )


def contact_held(contact_ref, now):
    """Condition on a row that points at a contact (`contact_ref` an OuterRef to the contact id)."""
    Contact = _model("clients.Contact")
    contacts = Contact._base_manager.filter(pk=contact_ref)
    held_self = contacts.filter(legal_hold=True)
    enterprise_ref = OuterRef("enterprise_id")
    covered = contacts.filter(enterprise_held(enterprise_ref, now) | projects_of_enterprise_held(enterprise_ref, now))
    return Exists(held_self) | Exists(_holds(now).filter(contact=contact_ref)) | Exists(covered)


def contacts_held_q(now=None):
    """For a Contact queryset: the contacts that may not be purged."""
    now = now or timezone.now()
    enterprise = OuterRef("enterprise_id")
    return (
        Q(legal_hold=True)
        | Exists(_holds(now).filter(contact=OuterRef("pk")))
        | enterprise_held(enterprise, now)
        | projects_of_enterprise_held(enterprise, now)
    )


def contact_itself_held_q(now=None):
    """For a Contact queryset: the contact's own flag or an active hold naming it (not the
    holds it inherits from its enterprise: `enterprise_held`, `projects_of_enterprise_held`)."""
    now = now or timezone.now()
    return Q(legal_hold=True) | Exists(_holds(now).filter(contact=OuterRef("pk")))


def project_held(project_ref, now):
    """Condition on a row that points at a project: the project, its enterprise or a contact of it is held."""
    Project = _model("clients.Project")
    projects = Project._base_manager.filter(pk=project_ref)
    enterprise = OuterRef("enterprise_id")
    return (
        Exists(projects.filter(legal_hold=True))
        | Exists(_holds(now).filter(project=project_ref))
        | Exists(projects.filter(enterprise_held(enterprise, now) | contacts_of_enterprise_held(enterprise, now)))
    )


# --- Held ids read once (the purge's claims and counts) ----------------------------------------


class HeldSets:
    """The ids under a hold at one moment, read with a handful of queries.

    The per-row `Exists` conditions above evaluate every hold for every row they test; over a
    whole table (counts, claims) PostgreSQL runs them as sub-plans per row or as hashed scans of
    the unindexed ``legal_hold`` flag columns. Reading the few held ids once and excluding them
    with ``<> ALL(...)`` costs one scan per table per rule instead. The sets are a snapshot: the
    purge re-checks every claimed batch with the exact conditions (`*_held` above), so a hold
    placed while a run goes on still protects its rows.
    """

    def __init__(self, now=None):
        now = now or timezone.now()
        Contact, Enterprise, Project = (_model(f"clients.{n}") for n in ("Contact", "Enterprise", "Project"))
        holds = _holds(now)
        self.contacts = set(Contact._base_manager.filter(legal_hold=True).values_list("pk", flat=True))
        self.contacts |= set(holds.filter(contact__isnull=False).values_list("contact_id", flat=True))
        self.enterprises = set(Enterprise._base_manager.filter(legal_hold=True).values_list("pk", flat=True))
        self.enterprises |= set(holds.filter(enterprise__isnull=False).values_list("enterprise_id", flat=True))
        self.projects = set(Project._base_manager.filter(legal_hold=True).values_list("pk", flat=True))
        self.projects |= set(holds.filter(project__isnull=False).values_list("project_id", flat=True))
        by_pk = {"pk__in": sorted(self.projects)}
        project_enterprises = set(Project._base_manager.filter(**by_pk).values_list("enterprise_id", flat=True))
        by_pk = {"pk__in": sorted(self.contacts)}
        contact_enterprises = set(Contact._base_manager.filter(**by_pk).values_list("enterprise_id", flat=True))
        # A contact is held with its enterprise and the enterprise's projects ...
        self.enterprises_for_contacts = self.enterprises | project_enterprises
        # ... a project (and its follow-ups) with its enterprise and the enterprise's contacts.
        self.enterprises_for_projects = self.enterprises | contact_enterprises

    @staticmethod
    def _q(field, ids):
        return Q(**{f"{field}__in": sorted(ids)}) if ids else Q(pk__in=[])

    def contact_q(self, prefix=""):
        """Q for rows that are (prefix="") or point at (prefix="contact__") a held contact."""
        pk = f"{prefix}pk" if not prefix else f"{prefix[:-2]}_id"
        return self._q(pk, self.contacts) | self._q(f"{prefix}enterprise_id", self.enterprises_for_contacts)

    def project_q(self, prefix="project__"):
        """Q for rows that point at a held project (follow-ups: prefix="project__")."""
        return self._q(f"{prefix[:-2]}_id", self.projects) | self._q(
            f"{prefix}enterprise_id", self.enterprises_for_projects
        )


# --- The check every use asks -------------------------------------------------------------------


def active_hold_for(obj, now=None):
    """The active LegalHold that covers `obj` (Enterprise, Contact, Project, FollowUp), or None."""
    now = now or timezone.now()
    label = obj._meta.label
    holds = _holds(now).order_by("placed_at", "pk")
    if label == "clients.Contact":
        q = Q(contact=obj.pk) | Q(enterprise=obj.enterprise_id) | Q(project__enterprise=obj.enterprise_id)
    elif label == "clients.Enterprise":
        q = Q(enterprise=obj.pk)
    elif label == "clients.Project":
        q = Q(project=obj.pk) | Q(enterprise=obj.enterprise_id)
    elif label == "clients.FollowUp":
        project = obj.project
        q = Q(project=project.pk) | Q(enterprise=project.enterprise_id)
    elif hasattr(obj, "contact_id") and obj.contact_id:
        q = Q(contact=obj.contact_id)
        contact = _model("clients.Contact")._base_manager.filter(pk=obj.contact_id).only("enterprise_id").first()
        if contact is not None:
            q |= Q(enterprise=contact.enterprise_id) | Q(project__enterprise=contact.enterprise_id)
    else:
        return None
    return holds.filter(q).first()


def ensure_not_restricted(obj, use):
    """Raise `ProcessingRestricted` if a hold or restriction covers `obj`; `use` is a `Use` value."""
    hold = active_hold_for(obj)
    if hold is not None:
        raise ProcessingRestricted(hold, use)


def restricted_contacts_q(now=None):
    """For a Contact queryset (exports, outreach lists): contacts under an active hold or restriction."""
    now = now or timezone.now()
    holds = _holds(now)
    return (
        Exists(holds.filter(contact=OuterRef("pk")))
        | Exists(holds.filter(enterprise=OuterRef("enterprise_id")))
        | Exists(holds.filter(project__enterprise=OuterRef("enterprise_id")))
    )


def restricted_contacts_set_q(now=None):
    """`restricted_contacts_q` for whole lists: the active holds are read once (one query) and the
    contacts they cover are matched by id (``= ANY(array)``), instead of probing the holds once per
    row (10,000 people: three sub-plans each). A snapshot at the call: a hold placed after it is
    seen by the next call. Used by `privacy.consent.services.consent_filter` ([I])."""
    from zhaoshang.core.db import any_of

    contacts, enterprises = set(), set()
    rows = _holds(now or timezone.now()).values_list("contact_id", "enterprise_id", "project__enterprise_id")
    for contact_id, enterprise_id, project_enterprise_id in rows:
        if contact_id:
            contacts.add(contact_id)
        enterprises.update(pk for pk in (enterprise_id, project_enterprise_id) if pk)
    q = Q(pk__isnull=True)  # nobody (a contact always has an id): compiles where an empty IN would not
    if contacts:
        q |= Q(any_of("pk", sorted(contacts)))
    if enterprises:
        q |= Q(any_of("enterprise_id", sorted(enterprises)))
    return q
