"""Excel import (template, dry-run preview, confirm, undo) and export of lists in scope."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.access import record_access
from privacy import files
from privacy.consent import services as consent_services

from ..excel import (
    ImportFileError,
    export_dataset,
    import_enqueue,
    import_retry,
    import_run,
    spool_dir,
    spool_discard,
    spool_read,
    spool_sweep,
    template_dataset,
)
from ..excel import import_undo as undo_batch
from ..forms import ImportForm
from ..models import Contact, Enterprise, ImportBatch, Project, Stage
from ..resources import RESOURCES
from .common import require_perm

KIND_LABELS = {"enterprise": gettext_lazy("企业"), "contact": gettext_lazy("联系人"), "project": gettext_lazy("项目")}


def _kind(kind):
    if kind not in RESOURCES:
        raise Http404
    return kind


def _spool_dir():
    return spool_dir()


def _sweep_spool(request):
    """Previews that were never confirmed must not linger: they may hold contacts' details. This
    session's previous preview goes now; everyone's old ones also go hourly (spool_sweep)."""
    previous = (request.session.pop("clients_import_spool", None) or {}).get("token")
    if previous:
        spool_discard(previous)
    spool_sweep()


def import_list(request):
    require_perm(request.user, "clients.import_enterprise")
    batches = ImportBatch.objects.filter(user=request.user)[:20]
    return render(request, "clients/import_list.html", {"batches": batches, "kinds": KIND_LABELS, "form": ImportForm()})


def import_template(request, kind):
    require_perm(request.user, "clients.import_enterprise")
    kind = _kind(kind)
    data = template_dataset(kind).export("xlsx")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="import-template-{kind}.xlsx"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def import_upload(request, kind):
    """POST a file → dry-run preview; POST confirm with the spool token → the real import."""
    require_perm(request.user, "clients.import_enterprise")
    kind = _kind(kind)
    context = {"kind": kind, "kind_label": KIND_LABELS[kind]}
    if request.method == "POST" and request.POST.get("token"):
        spool = request.session.get("clients_import_spool") or {}
        token = request.POST["token"]
        if spool.get("token") != token or spool.get("kind") != kind:
            messages.error(request, _("导入预览已失效，请重新上传文件。"))
            return redirect("clients:import_upload", kind=kind)
        request.session.pop("clients_import_spool", None)
        if spool_read(token, spool.get("key", "")) is None:
            spool_discard(token)
            messages.error(request, _("导入预览已失效，请重新上传文件。"))
            return redirect("clients:import_upload", kind=kind)
        # The import itself runs as a Celery task (inline without Redis); the batch page shows progress.
        batch = import_enqueue(
            user=request.user,
            kind=kind,
            token=token,
            key=spool.get("key", ""),
            file_name=spool["name"],
            mode=spool["mode"],
            total_rows=spool.get("rows", 0),
        )
        return redirect("clients:import_batch", pk=batch.pk)

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _sweep_spool(request)
        upload = form.cleaned_data["file"]
        data = upload.read(10 * 1024 * 1024 + 1)
        try:
            outcome = import_run(
                user=request.user, kind=kind, data=data, file_name=upload.name, mode=form.cleaned_data["mode"]
            )
        except ImportFileError as exc:
            form.add_error("file", exc.messages[0])
        else:
            if not outcome["errors"]:
                token = secrets.token_urlsafe(24)
                # Encrypted under a random key that lives only in this (database-backed) session.
                key = files.new_transient_key()
                (_spool_dir() / f"{token}.bin").write_bytes(
                    files.encrypt_transient(data, key=key, purpose=files.IMPORT_SPOOL)
                )
                request.session["clients_import_spool"] = {
                    "token": token,
                    "key": key,
                    "kind": kind,
                    "name": upload.name[:200],
                    "mode": form.cleaned_data["mode"],
                    "rows": outcome["rows"],
                    "at": timezone.now().isoformat(),
                }
                context["token"] = token
            context["outcome"] = outcome
    context["form"] = form
    return render(request, "clients/import_upload.html", context)


def import_batch(request, pk):
    """One import: its progress while it runs (polled by htmx), then its outcome."""
    require_perm(request.user, "clients.import_enterprise")
    batch = get_object_or_404(ImportBatch, pk=pk, user=request.user)
    context = {"batch": batch, "kind_label": KIND_LABELS[batch.kind], **_waiting(batch)}
    return render(request, "clients/import_batch.html", context)


@never_cache
def import_progress(request, pk):
    """htmx fragment: the progress bar; it stops polling once the import has finished or failed."""
    require_perm(request.user, "clients.import_enterprise")
    batch = get_object_or_404(ImportBatch, pk=pk, user=request.user)
    return render(request, "clients/_import_progress.html", {"batch": batch, **_waiting(batch)})


def _waiting(batch):
    """Minutes a queued import has waited, once that is longer than a worker should take to start."""
    if batch.status != ImportBatch.Status.QUEUED:
        return {}
    waited = (timezone.now() - batch.created_at).total_seconds()
    return {"waited_minutes": int(waited // 60)} if waited > 60 else {}


@require_POST
def import_retry_view(request, pk):
    """Send again an import that could not be queued (the background queue was unreachable)."""
    require_perm(request.user, "clients.import_enterprise")
    batch = get_object_or_404(ImportBatch, pk=pk, user=request.user)
    try:
        import_retry(user=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("clients:import_batch", pk=batch.pk)


@require_POST
def import_undo(request, pk):
    require_perm(request.user, "clients.import_enterprise")
    batch = get_object_or_404(ImportBatch, pk=pk, user=request.user)
    try:
        undo_batch(user=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已撤销该批导入。"))
    return redirect("clients:import_list")


def _export_queryset(request, kind):
    user = request.user
    q = request.GET.get("q", "").strip()[:100]
    stage = request.GET.get("stage", "")
    filters = {}
    if kind == "enterprise":
        qs = Enterprise.objects.visible_to(user).select_related("owner")
        if q:
            qs, filters["q"] = qs.name_contains(q), q
    elif kind == "project":
        qs = Project.objects.visible_to(user).select_related("enterprise")
        if q:
            qs, filters["q"] = qs.filter(title__icontains=q), q
        if stage in Stage.values:
            qs, filters["stage"] = qs.filter(stage=stage), stage
    else:
        require_perm(user, "clients.view_contact")
        # The one check every use asks ([I]): liaison is contractual (no consent needed), but a
        # restricted or held person is never exported ([F]).
        contacts = consent_services.consent_filter(Contact.objects.visible_to(user), consent_services.PURPOSE_LIAISON)
        qs = contacts.select_related("enterprise")
        enterprise = request.GET.get("enterprise", "")
        if enterprise.isdigit():
            qs, filters["enterprise"] = qs.filter(enterprise_id=int(enterprise)), int(enterprise)
    return qs.order_by("pk"), filters


@never_cache
def export(request, kind):
    require_perm(request.user, "clients.export_enterprise")
    kind = _kind(kind)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    clear = request.user.has_perm("clients.export_clear_values") and request.GET.get("clear") == "1"
    if request.GET.get("clear") == "1" and not clear:
        raise PermissionDenied
    queryset, filters = _export_queryset(request, kind)
    rows = list(queryset[: settings.CLIENTS_EXPORT_MAX_ROWS])
    dataset = export_dataset(kind=kind, queryset=rows, clear=clear)
    subject_ids = [c.pk for c in rows] if kind == "contact" else []
    record_access(
        request.user,
        "export",
        purpose=request.GET.get("purpose", "")[:200] or _("列表导出"),
        row_count=len(rows),
        detail={"kind": kind, "format": fmt, "filter": filters, "clear_values": clear},
        subject_ids=subject_ids,
        request=request,
    )
    if fmt == "csv":
        body = ("\ufeff" + dataset.export("csv")).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        body = dataset.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store, private"
    return response
