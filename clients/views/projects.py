"""Project pages: list (keyset), 公海 pool, create, detail, edit, stage, milestones, assign, claim/release."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.access import record_access

from .. import pool, services
from ..forms import AssignForm, MilestoneForm, ProjectFilterForm, ProjectForm, StageForm
from ..models import Assignment, Project, Stage
from ..scopes import can_control, can_write, get_enterprise_for_user, get_project_for_user
from .common import add_collaborator, keyset_page, parse_cursor, remove_collaborator, require_perm
from .funds import funds_context


def _project_rows(user):
    return (
        Project.objects.visible_to(user)
        .select_related("enterprise", "owner", "department")
        .only(
            "id",
            "title",
            "stage",
            "stage_changed_at",
            "planned_investment",
            "currency",
            "last_activity_at",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
            "department__name",
            "enterprise__name",
        )
    )


def _attach_primary_contacts(user, projects):
    """Each row shows its enterprise's first contact the user may see, masked: one query for the
    page, no N+1. The contact scope applies: a project in the user's scope does not open the
    contacts of an enterprise outside it."""
    if not (projects and user.has_perm("clients.view_contact")):
        return
    from ..models import Contact, Enterprise

    first = {}
    # the contact scope (Contact.visible_to: contacts follow their enterprise), narrowed to the page's
    # enterprises first so that the scope is tested on those rows only
    ids = {p.enterprise_id for p in projects}
    visible = Enterprise.objects.visible_to(user).filter(pk__in=ids).values("pk")
    contacts = Contact.objects.filter(enterprise_id__in=visible).order_by("enterprise_id", "pk")
    if connection.features.can_distinct_on_fields:
        # PostgreSQL: only the first contact of each enterprise leaves the database (DISTINCT ON),
        # not every contact of the 50 enterprises with its key.
        contacts = contacts.distinct("enterprise_id")
    for contact in contacts.only("id", "enterprise_id", "name", "mobile", "subject_key"):
        first.setdefault(contact.enterprise_id, contact)
    for project in projects:
        project.primary_contact = first.get(project.enterprise_id)


def project_list(request):
    require_perm(request.user, "clients.view_project")
    form = ProjectFilterForm(request.GET or None)
    qs = _project_rows(request.user)
    if form.is_valid():
        if form.cleaned_data["q"]:
            qs = qs.filter(title__icontains=form.cleaned_data["q"])
        if form.cleaned_data["stage"]:
            qs = qs.filter(stage=form.cleaned_data["stage"])
        if form.cleaned_data["mine"]:
            qs = qs.filter(owner=request.user)
    rows, next_cursor = keyset_page(qs, parse_cursor(request.GET.get("after")))
    _attach_primary_contacts(request.user, rows)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "clients/project_list.html",
        {
            "projects": rows,
            "next_cursor": next_cursor,
            "form": form,
            "query": query.urlencode(),
            "paged": bool(request.GET.get("after")),
            "title": _("招商项目"),
        },
    )


def project_pool(request):
    """公海: projects without an owner that the user's pool serves (clients.pool), to claim."""
    require_perm(request.user, "clients.view_project")
    qs = pool.pool_for_user(request.user).select_related("enterprise", "department")
    rows, next_cursor = keyset_page(qs, parse_cursor(request.GET.get("after")))
    ids = [p.pk for p in rows]
    visible = set(Project.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    may_claim = pool.may_claim(request.user)
    return render(
        request,
        "clients/project_pool.html",
        {
            "projects": rows,
            "next_cursor": next_cursor,
            "may_claim": may_claim,
            "visible_ids": visible,
            "claimed": pool.claimed_count(request.user) if may_claim else 0,
            "claim_limit": settings.POOL_CLAIM_LIMIT,
            "by_department": settings.POOL_SCOPE == "department",
            "cooldown_days": settings.POOL_RECLAIM_COOLDOWN_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
def project_create(request, enterprise_pk):
    require_perm(request.user, "clients.add_project")
    # a project makes its creator an owner who may share it: only for those who may change the enterprise
    enterprise = get_enterprise_for_user(request.user, enterprise_pk, write=True)
    form = ProjectForm(request.POST or None, initial={"industry": enterprise.industry})
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(user=request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("项目已创建。"))
            return redirect(project)
    return render(request, "clients/project_form.html", {"form": form, "enterprise": enterprise})


def project_detail(request, pk):
    project = get_project_for_user(request.user, pk)
    writable = can_write(request.user, project)
    may_share = can_control(request.user, project)
    followups = []
    if request.user.has_perm("clients.view_followup") and hasattr(project, "followups"):
        followups = list(project.followups.select_related("author").order_by("-date", "-pk")[:50])
    if followups:
        # Follow-up notes may name people: showing them is a read of personal data.
        record_access(request.user, "view", project, detail={"followups": len(followups)}, request=request)
    return render(
        request,
        "clients/project_detail.html",
        {
            "project": project,
            "writable": writable,
            "may_assign": services.may_assign(request.user, project),
            "stage_form": StageForm(project=project),
            "milestone_form": MilestoneForm(),
            "stage_changes": project.stage_changes.select_related("by", "loss_reason"),
            "milestones": project.milestones.all(),
            "followups": followups,
            "may_share": may_share,
            "collaborators": services.collaborators_of(project) if may_share else [],
            "assignments": project.assignments.select_related("from_owner", "to_owner", "by")[:10],
            "pipeline": [s for s in Stage if s != Stage.TERMINATED],
            **funds_context(request.user, project, writable),  # [L] 到资 and planned against actual
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = get_project_for_user(request.user, pk, write=True)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_update(user=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("已保存。"))
        return redirect(project)
    return render(
        request, "clients/project_form.html", {"form": form, "enterprise": project.enterprise, "project": project}
    )


@require_POST
def project_stage(request, pk):
    project = get_project_for_user(request.user, pk, write=True)
    form = StageForm(request.POST)  # every stage: the service says in Chinese why a move is not allowed
    if form.is_valid():
        try:
            services.project_change_stage(
                user=request.user,
                project=project,
                to_stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
                loss_reason=form.cleaned_data["loss_reason"],
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("阶段已更新。"))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(project)


@require_POST
def project_milestone_add(request, pk):
    project = get_project_for_user(request.user, pk, write=True)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        services.milestone_add(user=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("节点已记录。"))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(project)


@require_http_methods(["GET", "POST"])
def project_assign(request, pk):
    project = get_project_for_user(request.user, pk)
    if not services.may_assign(request.user, project):
        raise PermissionDenied
    form = AssignForm(request.POST or None, users=services.assignable_users(request.user))
    if request.method == "POST" and form.is_valid():
        services.project_assign(
            by=request.user, project=project, to_user=form.cleaned_data["to_user"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("已分派。"))
        if Project.objects.visible_to(request.user).filter(pk=project.pk).exists():
            return redirect(project)
        return redirect("clients:project_list")
    return render(request, "clients/assign_form.html", {"form": form, "object": project})


@require_POST
def project_claim(request, pk):
    """Claim from the pool. A project of the user's pool that cannot be claimed now (limit,
    cool-down, already taken) gets its reason in Chinese on the pool page, not a bare 404."""
    try:
        project = pool.get_pool_project_for_user(request.user, pk)
    except Http404:
        taken = _claimed_meanwhile(request.user, pk)
        if taken is None:
            raise
        messages.error(request, taken)
        return redirect("clients:project_pool")
    try:
        services.project_claim(user=request.user, project=project)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("clients:project_pool")
    messages.success(request, _("已认领，项目已转入您名下。"))
    return redirect(project)


def _claimed_meanwhile(user, pk):
    """A project of the user's pool that someone claimed first: say so (it is not in the pool now)."""
    scope = pool.pool_scope_q(user) | Q(pk__in=Project.objects.visible_to(user).values("pk"))
    taken = Project.objects.filter(scope, pk=pk, owner__isnull=False).annotate(last_kind=pool.last_move())
    if not pool.may_claim(user) or not taken.filter(last_kind=Assignment.Kind.CLAIM).exists():
        return None
    return _("该项目已被认领，不在公海中了。")


@require_POST
def project_release(request, pk):
    project = get_project_for_user(request.user, pk, write=True)
    try:
        services.project_release(user=request.user, project=project, note=request.POST.get("note", "")[:300])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(project)
    messages.success(request, _("项目已释放到公海。"))
    return redirect("clients:project_pool")


@require_POST
def project_collaborator_add(request, pk):
    return add_collaborator(request, get_project_for_user(request.user, pk, write=True))


@require_POST
def project_collaborator_remove(request, pk, user_id):
    return remove_collaborator(request, get_project_for_user(request.user, pk, write=True), user_id)
