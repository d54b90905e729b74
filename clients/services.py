"""Case-management writes: the only path that creates, assigns, releases or reveals case records.

Keyword-only, atomic functions named noun_verb. Views, admin actions, imports, tasks and commands
call these; none of them changes owners, grants or stages on its own.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.notifications import notify

from .models import (
    Assignment,
    Enterprise,
    EnterpriseUserObjectPermission,
    GrantKind,
    Milestone,
    Project,
    ProjectUserObjectPermission,
    StageChange,
)

# The 公海 claim and its rules live in clients.pool; it is a service like the others.
from .pool import project_claim  # noqa: F401
from .roles import has_role
from .scopes import can_control, can_write, is_head_of, user_department_id

# Stage moves follow the one transition table of clients.stages.
from .stages import project_change_stage  # noqa: F401
from .validators import normalise_credit_code


class ServiceError(ValidationError):
    """A refused business action; its message is shown to the user as is (Chinese)."""


# --- helpers ---------------------------------------------------------------------------------


def _permission(codename):
    return Permission.objects.get(content_type__app_label="clients", codename=codename)


def _head_of(department):
    """The head responsible for a department: its own head, or the nearest one above it."""
    while department is not None:
        if department.head_id:
            return department.head
        department = department.parent
    return None


def _department_of(user):
    from .models import Department

    dept_id = user_department_id(user) if user else None
    return Department.objects.filter(pk=dept_id).first() if dept_id else None


def _grant(model, obj, user, codename, *, kind, expires_at=None):
    row, _created = model.objects.update_or_create(
        content_object=obj,
        user=user,
        permission=_permission(codename),
        defaults={"kind": kind, "expires_at": expires_at},
    )
    return row


def _revoke_assignment_grants(user, *, project=None, enterprise=None):
    if user is None:
        return 0
    n = 0
    if project is not None:
        n += ProjectUserObjectPermission.objects.filter(
            content_object=project, user=user, kind=GrantKind.ASSIGNMENT
        ).delete()[0]
    if enterprise is not None:
        n += EnterpriseUserObjectPermission.objects.filter(
            content_object=enterprise, user=user, kind=GrantKind.ASSIGNMENT
        ).delete()[0]
    return n


def _require_assigner(by, department_id):
    if not (by.is_superuser or (by.has_perm("clients.assign_project") and is_head_of(by, department_id))):
        raise PermissionDenied(_("只有该记录所属部门的负责人可以分派。"))


# --- 查重 -------------------------------------------------------------------------------------


def enterprise_find_duplicates(*, name="", credit_code="", exclude_pk=None):
    """Enterprises that already exist with this credit code or a near-identical name, in ANY scope.

    Only company data and the owner's staff name are returned — never contacts or other personal data.
    """
    code = normalise_credit_code(credit_code)
    core = _name_core(name)
    q = Q(pk__in=[])
    if code:
        q |= Q(credit_code=code)
    if len(core) >= 2:
        q |= Q(name__iexact=name.strip()) | Q(name__icontains=core)
    qs = Enterprise.objects.filter(q).select_related("owner", "department").order_by("pk")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:10])


_NAME_NOISE = ("有限责任公司", "股份有限公司", "有限公司", "集团", "公司", "（中国）", "(中国)", "中国")


def _name_core(name):
    core = "".join(str(name or "").split())
    for noise in _NAME_NOISE:
        core = core.replace(noise, "")
    return core


@transaction.atomic
def collaboration_request(*, user, enterprise):
    """Ask the owner of an existing enterprise to take `user` on as a 协办 instead of a duplicate.

    The owner is told the requester's account name (to add as 协办) and the enterprise's number.
    """
    recipient = enterprise.owner or _head_of(enterprise.department)
    if recipient is None:
        raise ServiceError(_("该企业暂无负责人，请联系部门负责人。"))
    notify([recipient], "collaboration_request", enterprise, {"requester": user.username, "enterprise": enterprise.pk})
    return recipient


# --- enterprises ------------------------------------------------------------------------------


@transaction.atomic
def enterprise_create(*, user, **fields):
    fields["credit_code"] = normalise_credit_code(fields.get("credit_code")) or None
    enterprise = Enterprise(
        owner=fields.pop("owner", user),
        department=fields.pop("department", None) or _department_of(user),
        reported_by=user,
        reported_at=timezone.now(),
        **fields,
    )
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, user, enterprise, **fields):
    if not can_write(user, enterprise):
        raise PermissionDenied(_("您没有修改该企业的权限。"))
    if "credit_code" in fields:
        fields["credit_code"] = normalise_credit_code(fields["credit_code"]) or None
    for name, value in fields.items():
        setattr(enterprise, name, value)
    enterprise.full_clean()
    enterprise.save(update_fields=[*fields, "updated_at"])
    return enterprise


@transaction.atomic
def enterprise_verify(*, user, enterprise, status, method="", note=""):
    """A department head records the check of an enterprise (who, when, how); audited with its save."""
    if not (user.is_superuser or is_head_of(user, enterprise.department_id)):
        raise PermissionDenied(_("只有该企业所属部门的负责人可以核实企业。"))
    if status not in Enterprise.Verification.values or (method and method not in Enterprise.VerificationMethod.values):
        raise ServiceError(_("未知的核实状态或核实方式。"))
    if status != Enterprise.Verification.PENDING and not method:
        raise ServiceError(_("请选择核实方式。"))
    enterprise.verification_status = status
    enterprise.verification_method = method
    enterprise.verification_note = (note or "").strip()[:300]
    enterprise.verified_by = user
    enterprise.verified_at = timezone.now()
    enterprise.save(
        update_fields=[
            "verification_status",
            "verification_method",
            "verification_note",
            "verified_by",
            "verified_at",
            "updated_at",
        ]
    )
    return enterprise


@transaction.atomic
def enterprise_assign(*, by, enterprise, to_user, note=""):
    """Department head (re)assigns an enterprise: the new owner gets it, the old owner's grants go."""
    _require_assigner(by, enterprise.department_id)
    enterprise = Enterprise.objects.select_for_update(of=("self",)).get(pk=enterprise.pk)
    previous = enterprise.owner
    if previous == to_user:
        return enterprise
    enterprise.owner = to_user
    enterprise.department = _department_of(to_user) or enterprise.department
    enterprise.save(update_fields=["owner", "department", "updated_at"])
    _revoke_assignment_grants(previous, enterprise=enterprise)
    Assignment.objects.create(enterprise=enterprise, from_owner=previous, to_owner=to_user, by=by, note=note[:300])
    if to_user is not None and to_user.pk != by.pk:
        notify([to_user], "enterprise_assigned", enterprise, {"enterprise": enterprise.pk})
    return enterprise


# --- collaborators (协办) and temporary access -------------------------------------------------


@transaction.atomic
def collaborator_add(*, by, obj, user, write=False, days=None):
    """Grant `user` read (or write) access to one project or enterprise; `days` makes it temporary.

    Only those who control the record (its owner, the head of its department) may share it. A
    project collaborator also sees the project's enterprise: that access is computed from the
    project grant (clients.scopes), so it ends with it.
    """
    if not can_control(by, obj):
        raise PermissionDenied(_("只有负责人或部门负责人可以添加协办人。"))
    if user.pk == obj.owner_id:
        raise ServiceError(_("负责人无需添加为协办人。"))
    is_project = isinstance(obj, Project)
    model = ProjectUserObjectPermission if is_project else EnterpriseUserObjectPermission
    name = "project" if is_project else "enterprise"
    kind = GrantKind.TEMPORARY if days else GrantKind.COLLABORATOR
    expires_at = timezone.now() + timedelta(days=days) if days else None
    model.objects.filter(content_object=obj, user=user).delete()
    _grant(model, obj, user, f"view_{name}", kind=kind, expires_at=expires_at)
    if write:
        _grant(model, obj, user, f"change_{name}", kind=kind, expires_at=expires_at)
    return obj


@transaction.atomic
def collaborator_remove(*, by, obj, user):
    """Withdraw `user`'s grants on one project or enterprise, and everything they led to.

    The enterprise a project collaborator saw goes with the project grant (computed). For an
    enterprise, projects the person created on it while they held the grant go back to the
    enterprise's owner with their collaborators (clients.grants.enterprise_access_withdrawn).
    """
    from .grants import enterprise_access_withdrawn

    if not can_control(by, obj):
        raise PermissionDenied(_("您没有管理协办人的权限。"))
    model = ProjectUserObjectPermission if isinstance(obj, Project) else EnterpriseUserObjectPermission
    removed = model.objects.filter(content_object=obj, user=user).delete()[0]
    if isinstance(obj, Enterprise):
        enterprise_access_withdrawn(enterprise=obj, user=user, by=by)
    return removed


def collaborators_of(obj):
    model = ProjectUserObjectPermission if isinstance(obj, Project) else EnterpriseUserObjectPermission
    rows = model.objects.filter(content_object=obj).select_related("user", "permission").order_by("user_id")
    people = {}
    for row in rows:
        entry = people.setdefault(
            row.user_id,
            {
                "user": row.user,
                "write": False,
                "kind": row.kind,
                "kind_label": GrantKind(row.kind).label,
                "expires_at": None,
            },
        )
        entry["write"] = entry["write"] or row.permission.codename.startswith("change_")
        entry["expires_at"] = row.expires_at
    return list(people.values())


# --- projects ---------------------------------------------------------------------------------


@transaction.atomic
def project_create(*, user, enterprise, **fields):
    """A new project on `enterprise`, which the user must be able to change: a read-only collaborator
    may look at an enterprise, not start projects on it (which would make them an owner)."""
    if not can_write(user, enterprise):
        raise PermissionDenied(_("您没有修改该企业的权限，不能在其下新建项目。"))
    owner = fields.pop("owner", user)
    project = Project(
        enterprise=enterprise,
        owner=owner,
        department=fields.pop("department", None) or _department_of(owner) or enterprise.department,
        **fields,
    )
    project.full_clean()
    project.save()
    StageChange.objects.create(project=project, from_stage="", to_stage=project.stage, by=user)
    return project


@transaction.atomic
def project_update(*, user, project, **fields):
    if not can_write(user, project):
        raise PermissionDenied(_("您没有修改该项目的权限。"))
    fields.pop("stage", None)  # stages change only through project_change_stage
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save(update_fields=[*fields, "updated_at"])
    return project


@transaction.atomic
def milestone_add(*, user, project, kind, date, amount=None, note=""):
    if not can_write(user, project):
        raise PermissionDenied(_("您没有修改该项目的权限。"))
    return Milestone.objects.create(project=project, kind=kind, date=date, amount=amount, note=note, recorded_by=user)


def _follow_enterprise(project, user, previous):
    """Access follows a project's owner: the new owner sees its enterprise and the old one no longer,
    computed from the project (clients.scopes). Grants stored by earlier releases go here."""
    _revoke_assignment_grants(previous, project=project, enterprise=project.enterprise)


@transaction.atomic
def project_assign(*, by, project, to_user, note=""):
    """Department head (re)assigns a project. Grants follow the new owner; the old owner's are revoked."""
    _require_assigner(by, project.department_id)
    project = Project.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=project.pk)
    previous = project.owner
    if previous == to_user:
        return project
    project.owner = to_user
    project.department = _department_of(to_user) or project.department
    project.released_at = None
    project.last_activity_at = timezone.now()
    project.save(update_fields=["owner", "department", "released_at", "last_activity_at", "updated_at"])
    # A former owner who stays on as a collaborator keeps that explicit grant; assignment grants go.
    ProjectUserObjectPermission.objects.filter(content_object=project, user=to_user).delete()
    _follow_enterprise(project, to_user, previous)
    Assignment.objects.create(project=project, from_owner=previous, to_owner=to_user, by=by, note=note[:300])
    if to_user is not None and to_user.pk != by.pk:
        notify([to_user], "project_assigned", project, {"project": project.pk})
    return project


@transaction.atomic
def project_release(*, user, project, note="", auto=False):
    """Put a project back into the 公海 pool (by its owner, a head, or the idle job when `auto`)."""
    project = (
        Project.objects.select_for_update(of=("self",)).select_related("enterprise", "department").get(pk=project.pk)
    )
    if project.owner_id is None:
        raise ServiceError(_("该项目已在公海中。"))
    if not auto and not (project.owner_id == user.pk or is_head_of(user, project.department_id) or user.is_superuser):
        raise PermissionDenied(_("只有负责人或部门负责人可以释放项目。"))
    previous = project.owner
    project.owner = None
    project.released_at = timezone.now()
    project.save(update_fields=["owner", "released_at", "updated_at"])
    _revoke_assignment_grants(previous, project=project, enterprise=project.enterprise)
    Assignment.objects.create(
        project=project,
        from_owner=previous,
        by=None if auto else user,
        kind=Assignment.Kind.AUTO_RELEASE if auto else Assignment.Kind.RELEASE,
        note=note[:300],
    )
    return project, previous


def release_idle_projects(*, now=None, days=None):
    """Release every owned, active project with no follow-up for `days` (PUBLIC_POOL_IDLE_DAYS).

    Each project is released in its own transaction; running twice releases nothing the second
    time. The former owner and the department head are notified. Returns the number released.
    """
    now = now or timezone.now()
    days = settings.PUBLIC_POOL_IDLE_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    ids = list(
        Project.objects.active()
        .filter(owner__isnull=False, last_activity_at__lt=cutoff, legal_hold=False)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    released = 0
    for pk in ids:
        with transaction.atomic():
            project = Project.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if project is None or project.owner_id is None or project.last_activity_at >= cutoff:
                continue
            project, previous = project_release(
                user=None, project=project, auto=True, note=_("%(days)s 天无跟进，自动释放") % {"days": days}
            )
            head = _head_of(project.department)
            notify([previous, head], "project_released", project, {"project": project.pk, "days": days})
            released += 1
    return released


def assignable_users(by):
    """Staff a head may assign to: active officers in the departments they head (and below)."""
    from .models import Role

    User = get_user_model()
    depts = set()
    if by.is_superuser:
        return User.objects.filter(is_active=True, groups__role__code=Role.Code.OFFICER).distinct().order_by("username")
    from .scopes import departments_headed_tree

    depts = departments_headed_tree(by)
    return (
        User.objects.filter(is_active=True, profile__department_id__in=depts)
        .filter(Q(groups__role__code=Role.Code.OFFICER) | Q(pk=by.pk))
        .distinct()
        .order_by("username")
    )


def may_assign(user, obj):
    return user.is_superuser or (
        has_role(user, "dept_head") and user.has_perm("clients.assign_project") and is_head_of(user, obj.department_id)
    )


# --- contacts and reveals ---------------------------------------------------------------------

CONTACT_FIELDS = ("name", "mobile", "email", "wechat", "id_number")
REVEAL_FIELDS = {
    # field: permission needed to reveal it
    "name": "clients.reveal_contact",
    "mobile": "clients.reveal_contact",
    "email": "clients.reveal_contact",
    "wechat": "clients.reveal_contact",
    "id_number": "clients.reveal_sensitive_contact",
}


class RevealRefused(ServiceError):
    def __init__(self, message, *, status=403):
        super().__init__(message)
        self.status = status


def revealable_fields(user, contact):
    from privacy.crypto import SubjectKeyShredded

    try:
        return {f for f, perm in REVEAL_FIELDS.items() if user.has_perm(perm) and getattr(contact, f, "")}
    except SubjectKeyShredded:  # erased: nothing left to reveal
        return set()


def reveals_today(user):
    from audit.models import AccessEvent

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return AccessEvent.objects.filter(user=user, action=AccessEvent.Action.REVEAL, at__gte=start).count()


def _refuse_if_restricted(obj, use):
    from privacy.retention.restrictions import ProcessingRestricted, ensure_not_restricted

    try:
        ensure_not_restricted(obj, use)
    except ProcessingRestricted as exc:
        raise RevealRefused(exc.message) from None


@transaction.atomic
def contact_reveal(*, user, contact, field, purpose, request=None):
    """Return one field of a contact in clear, after checking role, purpose and the daily limit.

    The caller has passed the contact through get_contact_for_user (scope). Every reveal is an
    access event naming the purpose and the field (never the value).
    """
    from audit.access import record_access

    perm = REVEAL_FIELDS.get(field)
    if perm is None:
        raise RevealRefused(_("该字段不能查看明文。"), status=404)
    if not user.has_perm(perm):
        raise RevealRefused(_("您的角色无权查看该字段的明文。"))
    if not (purpose or "").strip():
        raise RevealRefused(_("请选择查看用途。"), status=400)
    _refuse_if_restricted(contact, "reveal")  # [F] legal hold / restriction: storage only
    # Serialise one user's reveals so two parallel requests cannot both slip under the limit.
    get_user_model().objects.select_for_update(of=("self",)).filter(pk=user.pk).first()
    limit = settings.REVEAL_DAILY_LIMIT
    if reveals_today(user) >= limit:
        raise RevealRefused(
            _("您今日查看明文的次数已达上限（%(limit)s 次），请明日再试；如确有需要请联系部门负责人。")
            % {"limit": limit},
            status=429,
        )
    record_access(
        user, "reveal", contact, purpose=purpose, detail={"field": field}, subject_ids=[contact.pk], request=request
    )
    return getattr(contact, field)


def contact_hold_message(contact):
    """Why `contact` is read-only (a legal hold on it or its enterprise), or "" when it may change."""
    from privacy.retention.restrictions import ProcessingRestricted, ensure_not_restricted

    if contact.legal_hold or contact.enterprise.legal_hold:
        return _("该联系人处于法律保全状态，只能查看，不能修改。")
    try:
        ensure_not_restricted(contact, "edit")
    except ProcessingRestricted as exc:
        return exc.message
    return ""


@transaction.atomic
def contact_create(*, user, enterprise, import_batch=None, **fields):
    from .models import Contact

    if not can_write(user, enterprise):
        raise PermissionDenied(_("您没有修改该企业的权限。"))
    contact = Contact(enterprise=enterprise, created_by=user, import_batch=import_batch, **fields)
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, user, contact, **fields):
    if not can_write(user, contact.enterprise):
        raise PermissionDenied(_("您没有修改该联系人的权限。"))
    if held := contact_hold_message(contact):
        raise PermissionDenied(held)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.save()
    return contact


# --- follow-ups -------------------------------------------------------------------------------


@transaction.atomic
def followup_create(*, user, project, date, method, summary, participants="", next_contact_date=None):
    from .models import FollowUp

    if not can_write(user, project):
        raise PermissionDenied(_("您没有修改该项目的权限。"))
    followup = FollowUp(
        project=project,
        date=date,
        method=method,
        summary=summary,
        participants=participants,
        next_contact_date=next_contact_date,
        author=user,
    )
    FollowUp.objects.filter(project=project, superseded=False).update(superseded=True)
    followup.save()
    # The clock of the 公海 job restarts with every follow-up; the next-contact date feeds the dashboard.
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(last_activity_at=now, updated_at=now)
    return followup
