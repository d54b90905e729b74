"""Security-incident pages: list with the regulator countdown, registration (also from an anomaly
of the audit workspace), the incident's page (people, containment, timeline, regulator report,
Art. 57 notice, closure) and drills.

Whoever may view incidents (privacy officer, auditor, admin) sees all of them; anyone else gets
404. Changes go through `privacy.incidents.services`, which lets only the privacy officer change
an incident; a containment task's owner may mark it done.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clients.roles import has_role

from . import forms, services
from .models import ContainmentTask, Drill, Incident, IncidentKind

PEOPLE_SHOWN = 200


def get_incident_for_user(user, pk, *, write=False):
    incident = Incident.objects.visible_to(user).select_related("reported_by", "closed_by").filter(pk=pk).first()
    if incident is None:
        raise Http404
    if write and not services.can_manage(user):
        raise PermissionDenied
    return incident


def _require_viewer(user):
    if not user.has_perm("privacy.view_incident"):
        raise Http404


def _flash(request, exc):
    for message in exc.messages:
        messages.error(request, message)


def incident_list(request):
    _require_viewer(request.user)
    incidents = list(Incident.objects.visible_to(request.user).select_related("reported_by")[:300])
    return render(
        request,
        "privacy/incidents/list.html",
        {
            "incidents": incidents,
            "now": timezone.now(),
            "can_edit": services.can_manage(request.user),
            "drill_due": services.drill_due(),
            "last_drill": services.last_drill(),
        },
    )


def _anomaly_initial(request):
    """Pre-fill from an anomaly of the audit workspace (?anomaly=<id>)."""
    from audit.models import Anomaly

    value = request.GET.get("anomaly") or request.POST.get("anomaly") or ""
    if not value.isdigit():
        return None, {}
    anomaly = Anomaly.objects.filter(pk=int(value)).first()
    if anomaly is None:
        return None, {}
    initial = {
        "title": _("异常访问：%(kind)s（%(day)s）")
        % {"kind": anomaly.get_kind_display(), "day": f"{anomaly.day:%Y-%m-%d}"},
        "detected_at": timezone.localtime(anomaly.detected_at).strftime("%Y-%m-%dT%H:%M"),
        "kind": IncidentKind.UNAUTHORISED,
        "level": "general",
        "description": _("审计工作台异常访问 #%(id)s：%(kind)s，%(day)s，涉及访问记录 %(n)s 条。")
        % {"id": anomaly.pk, "kind": anomaly.get_kind_display(), "day": f"{anomaly.day:%Y-%m-%d}", "n": anomaly.count},
    }
    return anomaly, initial


@require_http_methods(["GET", "POST"])
def incident_create(request):
    _require_viewer(request.user)
    if not services.can_manage(request.user):
        raise PermissionDenied
    anomaly, initial = _anomaly_initial(request)
    form = forms.IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(user=request.user, source_anomaly=anomaly, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if anomaly is not None:
                selection = {"mode": "reads", "user": anomaly.user_id, "from": f"{anomaly.day:%Y-%m-%d}"}
                request.session[f"incident-{incident.pk}-people"] = selection
            messages.success(request, _("已登记安全事件 %(ref)s。") % {"ref": incident.reference})
            return redirect("privacy:incident_detail", pk=incident.pk)
    return render(request, "privacy/incidents/form.html", {"form": form, "anomaly": anomaly})


@require_http_methods(["GET", "POST"])
def incident_edit(request, pk):
    incident = get_incident_for_user(request.user, pk, write=True)
    initial = {
        "title": incident.title,
        "detected_at": timezone.localtime(incident.detected_at).strftime("%Y-%m-%dT%H:%M"),
        "kind": incident.kind,
        "level": incident.level,
        "description": incident.description,
        "cause": incident.cause,
        "data_categories": incident.data_categories,
    }
    form = forms.IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(incident=incident, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("privacy:incident_detail", pk=incident.pk)
    return render(request, "privacy/incidents/form.html", {"form": form, "incident": incident})


def _people_initial(request, incident):
    selection = request.session.get(f"incident-{incident.pk}-people") or {}
    if selection.get("mode") == "reads":
        return {
            "mode": "reads",
            "user": selection.get("user"),
            "date_from": selection.get("from"),
            "date_to": selection.get("from"),
        }
    return {"mode": "reads"}


def incident_detail(request, pk):
    incident = get_incident_for_user(request.user, pk)
    can_edit = services.can_manage(request.user)
    people = []
    if has_role(request.user, "privacy_officer") and incident.affected_count:  # names: the privacy officer only
        from audit.access import record_access
        from clients.models import Contact

        ids = incident.subjects.order_by("contact_id").values_list("contact_id", flat=True)[:PEOPLE_SHOWN]
        people = list(Contact.objects.filter(pk__in=list(ids)).select_related("enterprise").order_by("pk"))
        record_access(
            request.user,
            "view",
            incident,
            purpose=_("安全事件处置"),
            row_count=len(people),
            subject_ids=[c.pk for c in people],
            request=request,
        )
    context = {
        "incident": incident,
        "can_edit": can_edit,
        "people": people,
        "sees_names": has_role(request.user, "privacy_officer"),
        "people_shown": PEOPLE_SHOWN,
        "tasks": list(incident.tasks.select_related("owner")),
        "timeline": list(incident.timeline.select_related("author")),
        "notice_problems": services.notice_problems(incident),
        "notification_counts": _notification_counts(incident),
        "now": timezone.now(),
        "open": incident.status != "closed",
    }
    if can_edit:
        context |= {
            "people_form": forms.PeopleForm(initial=_people_initial(request, incident)),
            "task_form": forms.TaskForm(),
            "report_form": forms.ReportForm(initial={"reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
            "notice_form": forms.NoticeForm(instance=incident),
            "note_form": forms.NoteForm(),
            "close_form": forms.CloseForm(initial={"root_cause": incident.root_cause, "lessons": incident.lessons}),
        }
    return render(request, "privacy/incidents/detail.html", context)


def _notification_counts(incident):
    from django.db.models import Count

    return dict(incident.notifications.values_list("channel").annotate(n=Count("pk")).values_list("channel", "n"))


def _post(request, pk, form_class, call, success, *, anchor=""):
    incident = get_incident_for_user(request.user, pk, write=True)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            result = call(incident, form)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
    return redirect(f"{incident_url(incident)}{anchor}")


def incident_url(incident):
    from django.urls import reverse

    return reverse("privacy:incident_detail", args=[incident.pk])


@require_POST
def incident_people(request, pk):
    def call(incident, form):
        ids, selection = services.people_query(**form.query_kwargs())
        return services.incident_select_people(
            incident=incident, user=request.user, contact_ids=ids, selection=selection
        )

    return _post(
        request, pk, forms.PeopleForm, call, lambda n: _("已确定受影响人员 %(n)s 人。") % {"n": n}, anchor="#people"
    )


@require_POST
def incident_task_add(request, pk):
    return _post(
        request,
        pk,
        forms.TaskForm,
        lambda incident, form: services.task_add(incident=incident, user=request.user, **form.cleaned_data),
        _("已添加处置任务。"),
        anchor="#tasks",
    )


@require_POST
def incident_task_done(request, pk, task_pk):
    incident = get_incident_for_user(request.user, pk)
    task = ContainmentTask.objects.filter(pk=task_pk, incident=incident).first()
    if task is None:
        raise Http404
    try:
        services.task_complete(task=task, user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认任务完成。"))
    return redirect(f"{incident_url(incident)}#tasks")


@require_POST
def incident_note(request, pk):
    return _post(
        request,
        pk,
        forms.NoteForm,
        lambda incident, form: services.timeline_add(incident=incident, user=request.user, **form.cleaned_data),
        _("已记入时间线。"),
        anchor="#timeline",
    )


@require_POST
def incident_report(request, pk):
    return _post(
        request,
        pk,
        forms.ReportForm,
        lambda incident, form: services.incident_report_regulator(
            incident=incident, user=request.user, **form.cleaned_data
        ),
        _("已登记向监管部门报告。"),
    )


@require_POST
def incident_notice(request, pk):
    incident = get_incident_for_user(request.user, pk, write=True)
    form = forms.NoticeForm(request.POST, instance=incident)
    if form.is_valid():
        try:
            services.incident_update(
                incident=incident, user=request.user, **{k: form.cleaned_data[k] for k in form.fields}
            )
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已保存告知内容。"))
    else:
        messages.error(request, _("告知内容有误，请检查后重新保存。"))
    return redirect(f"{incident_url(incident)}#notice")


@require_POST
def incident_notify(request, pk):
    incident = get_incident_for_user(request.user, pk, write=True)
    try:
        told = services.incident_notify(incident=incident, user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request, _("已在 %(n)s 人的自助页面发布告知；短信或邮件正在发送，结果记入时间线。") % {"n": told}
        )
    return redirect(f"{incident_url(incident)}#notice")


@require_POST
def incident_contained(request, pk):
    incident = get_incident_for_user(request.user, pk, write=True)
    try:
        services.incident_mark_contained(incident=incident, user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(incident_url(incident))


@require_POST
def incident_close(request, pk):
    return _post(
        request,
        pk,
        forms.CloseForm,
        lambda incident, form: services.incident_close(incident=incident, user=request.user, **form.cleaned_data),
        _("事件已结案。"),
    )


@require_http_methods(["GET", "POST"])
def drills(request):
    _require_viewer(request.user)
    can_edit = services.can_manage(request.user)
    form = forms.DrillForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.drill_record(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("已登记应急演练。"))
                return redirect("privacy:drills")
    return render(
        request,
        "privacy/incidents/drills.html",
        {
            "drills": list(Drill.objects.select_related("recorded_by")[:100]),
            "form": form,
            "drill_due": services.drill_due(),
        },
    )
