"""Staff consent pages: offline consent, evidence, coverage, exports, renewals; the public policy page.

Every contact-bound view goes through `clients.scopes.get_contact_for_user` (404 outside scope);
lists and exports use `Contact.objects.visible_to(user)`. Exports are access events naming every
contact they contain, and neutralise spreadsheet formulas.
"""

import csv
import io
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.access import record_access
from clients.scopes import get_contact_for_user
from privacy import files
from privacy.crypto import DecryptionError, SubjectKeyShredded
from privacy.shortcuts import require_perms, visible_contacts

from . import services
from .forms import OfflineConsentForm, PolicyDraftForm
from .models import ConsentAction, ConsentEvent, ConsentState, PrivacyPolicy, Purpose

logger = logging.getLogger(__name__)


def neutralise(value):
    """A spreadsheet cell that cannot run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(filename, header, rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Public policy page --------------------------------------------------------------------------


@login_not_required
def policy(request):
    current = services.current_policy()
    return render(
        request, "privacy/policy.html", {"policy": current, "purposes": Purpose.objects.filter(is_active=True)}
    )


# --- Policy versions (the privacy officer's page; the admin console needs staff status) ----------


def policy_versions(request):
    """Every version, drafts first: write a draft, then publish it here."""
    require_perms(request.user, "privacy.view_privacypolicy", "privacy.change_privacypolicy")
    versions = PrivacyPolicy.objects.select_related("published_by").order_by("published_at", "-effective_date", "-pk")
    return render(request, "privacy/policy_versions.html", {"versions": versions, "current": services.current_policy()})


@never_cache
@require_http_methods(["GET", "POST"])
def policy_draft(request, pk=None):
    """Write a new draft (pk None) or change one; a published version answers 404 here."""
    require_perms(request.user, "privacy.add_privacypolicy", "privacy.change_privacypolicy")
    draft = get_object_or_404(PrivacyPolicy, pk=pk, published_at__isnull=True) if pk else None
    form = PolicyDraftForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_draft_save(form=form, user=request.user)
        except services.ConsentError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("草稿已保存。核对无误后可在版本列表中发布。"))
            return redirect("privacy:policy_versions")
    return render(request, "privacy/policy_draft.html", {"form": form, "draft": draft})


@require_http_methods(["POST"])
def policy_publish(request, pk):
    require_perms(request.user, "privacy.change_privacypolicy")
    policy = get_object_or_404(PrivacyPolicy, pk=pk)
    try:
        count = services.policy_publish(policy=policy, user=request.user)
    except services.ConsentError as exc:
        messages.error(request, exc.messages[0])
        return redirect("privacy:policy_versions")
    if policy.material_change:
        messages.warning(
            request,
            _("已发布 %(v)s（重大变更）：%(n)s 项同意需重新取得，名单见“待重新取得同意”。")
            % {"v": policy.version, "n": count},
        )
    else:
        messages.success(request, _("已发布 %(v)s。") % {"v": policy.version})
    return redirect("privacy:policy_versions")


# --- Contact-bound actions -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def consent_record(request, pk):
    """Record a consent given or withdrawn offline, with its evidence file."""
    contact = get_contact_for_user(request.user, pk)
    require_perms(request.user, "privacy.add_consentevent")
    form = OfflineConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        purpose = data["purpose"]
        # Checked on its plaintext by the form; stored only encrypted under the contact's key.
        evidence = (
            files.encrypted_upload(contact, data["evidence"], purpose=files.CONSENT_EVIDENCE)
            if data["evidence"]
            else None
        )
        try:
            if data["action"] == ConsentAction.GRANTED:
                event = services.consent_grant(
                    contact=contact,
                    purpose=purpose,
                    channel=data["channel"],
                    actor=request.user,
                    evidence=evidence,
                    evidence_type=getattr(form, "evidence_type", ""),
                    separate=services.separate_details(purpose, recipient=data.get("recipient"))
                    if purpose.requires_separate_consent
                    else None,
                    recipient=data.get("recipient"),
                )
            else:
                event = services.consent_withdraw(
                    contact=contact,
                    purpose=purpose,
                    channel=data["channel"],
                    actor=request.user,
                    evidence=evidence,
                    evidence_type=getattr(form, "evidence_type", ""),
                    recipient=data.get("recipient"),
                )
        except services.ConsentError as exc:
            form.add_error(None, exc.messages[0])
        else:
            if event is None:
                messages.info(request, _("状态未变化：无需重复记录。"))
            else:
                messages.success(request, _("已记录。"))
            return redirect(contact)
    return render(request, "privacy/consent_record.html", {"contact": contact, "form": form})


@never_cache
def evidence(request, pk):
    """Serve an evidence file to a user who may see the event's contact (404 otherwise)."""
    event = get_object_or_404(ConsentEvent.objects.exclude(evidence=""), pk=pk)
    contact = get_contact_for_user(request.user, event.contact_id)
    require_perms(request.user, "privacy.view_consentevent")
    record_access(
        request.user, "view", event, purpose=_("查看同意凭证"), subject_ids=[event.contact_id], request=request
    )
    try:
        data = files.open_decrypted(contact, event.evidence, purpose=files.CONSENT_EVIDENCE)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    except SubjectKeyShredded:
        messages.error(request, _("该联系人的数据密钥已销毁，同意凭证无法再读取。"))
        return redirect(contact)
    except DecryptionError:
        logger.warning("consent evidence of event %s failed decryption (altered or moved file)", event.pk)
        messages.error(request, _("同意凭证校验失败：文件已损坏或被篡改，无法下载。请联系系统管理员。"))
        return redirect(contact)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(event.evidence_type, "bin")
    return files.attachment_response(
        data, content_type=event.evidence_type, filename=f"consent-evidence-{event.pk}.{extension}"
    )


# --- Reports and exports -------------------------------------------------------------------------


@never_cache
def coverage(request):
    """Consent coverage by purpose over the contacts the user may see."""
    require_perms(request.user, "privacy.view_consentevent")
    contacts = visible_contacts(request.user)
    total = contacts.count()
    now = timezone.now()
    states = ConsentState.objects.filter(contact__in=contacts.values("pk"))
    counts = {
        row["purpose_id"]: row
        # people, not states: a purpose that provides to others has one state per recipient ([I])
        for row in states.values("purpose_id").annotate(
            n_any=Count("contact_id", distinct=True),
            n_granted=Count(
                "contact_id",
                distinct=True,
                filter=Q(granted=True) & (Q(renewal_due_at__isnull=True) | Q(renewal_due_at__gt=now)),
            ),
            n_renewal=Count("contact_id", distinct=True, filter=Q(granted=True, needs_renewal=True)),
        )
    }
    for row in counts.values():
        row["n_withdrawn"] = row["n_any"] - row["n_granted"]
    rows = []
    for purpose in Purpose.objects.filter(is_active=True):
        c = counts.get(purpose.pk, {})
        granted = c.get("n_granted", 0)
        rows.append(
            {
                "purpose": purpose,
                "granted": granted,
                "withdrawn": c.get("n_withdrawn", 0),
                "renewal": c.get("n_renewal", 0),
                "never": max(total - granted - c.get("n_withdrawn", 0), 0),
                "percent": round(100 * granted / total) if total and purpose.needs_consent else None,
            }
        )
    return render(request, "privacy/coverage.html", {"rows": rows, "total": total})


@never_cache
def states_export(request):
    """CSV of consent states (ids, purposes, states; no personal values). An access event."""
    require_perms(request.user, "privacy.export_consentstate")
    states = list(
        ConsentState.objects.filter(contact__in=visible_contacts(request.user).values("pk"))
        .select_related("purpose", "policy", "contact__enterprise", "recipient")
        .order_by("contact_id", "purpose__order", "recipient_id")
    )
    record_access(
        request.user,
        "export",
        purpose=_("导出同意状态"),
        row_count=len(states),
        detail={"export": "consent_states"},
        subject_ids=[s.contact_id for s in states],
        request=request,
    )
    header = [
        _("联系人编号"),
        _("企业"),
        _("用途代码"),
        _("用途"),
        _("状态"),
        _("单独同意"),
        _("政策版本"),
        _("变更时间"),
        _("需重新同意"),
        _("接收方"),  # [I] purposes that provide to others: one state per recipient
    ]
    rows = (
        [
            s.contact_id,
            s.contact.enterprise.name,
            s.purpose.code,
            s.purpose.name,
            _("已同意") if s.granted else _("未同意/已撤回"),
            _("是") if s.separate else _("否"),
            s.policy.version if s.policy else "",
            timezone.localtime(s.changed_at).strftime("%Y-%m-%d %H:%M"),
            _("是") if s.needs_renewal else _("否"),
            s.recipient.name if s.recipient_id else "",
        ]
        for s in states
    )
    return _csv_response(f"consent-states-{timezone.localdate():%Y%m%d}.csv", header, rows)


def _contact_list_export(request, *, contacts, purpose, export, filename):
    """A call/outreach list as CSV: masked unless the user may export clear values; an access event
    naming every person in it. `contacts` come from `consent_filter` (consent and restrictions)."""
    from privacy.crypto.masking import mask_email, mask_mobile, mask_name

    clear = request.user.has_perm("clients.export_clear_values")
    contacts = list(contacts.order_by("pk"))
    record_access(
        request.user,
        "export",
        purpose=purpose,
        row_count=len(contacts),
        detail={"export": export, "clear": clear},
        subject_ids=[c.pk for c in contacts],
        request=request,
    )
    header = [_("联系人编号"), _("企业"), _("姓名"), _("职务"), _("手机号"), _("电子邮箱")]

    def cells(c):
        name, mobile, email = str(c.name or ""), str(c.mobile or ""), str(c.email or "")
        if not clear:
            name, mobile, email = mask_name(name), mask_mobile(mobile), mask_email(email)
        return [c.pk, c.enterprise.name, name, c.position, mobile, email]

    return _csv_response(f"{filename}-{timezone.localdate():%Y%m%d}.csv", header, (cells(c) for c in contacts))


@never_cache
def outreach_export(request):
    """政策推送名单: only contacts with a valid consent and no restriction."""
    require_perms(request.user, "privacy.export_outreach")
    return _contact_list_export(
        request,
        contacts=services.outreach_contacts(request.user),
        purpose=_("政策推送与活动邀请"),
        export="outreach",
        filename="outreach",
    )


@never_cache
def satisfaction_export(request):
    """满意度回访名单: contacts of signed or landed projects with a valid consent to the call, no restriction."""
    require_perms(request.user, "privacy.export_outreach")
    return _contact_list_export(
        request,
        contacts=services.satisfaction_contacts(request.user),
        purpose=_("满意度回访"),
        export="satisfaction",
        filename="satisfaction-calls",
    )


@never_cache
def renewals(request):
    """People to ask again after a material policy change (within the user's scope)."""
    require_perms(request.user, "privacy.view_consentevent")
    states = list(services.renewal_list(visible_contacts(request.user))[:500])
    policies = PrivacyPolicy.objects.published()[:5]
    return render(request, "privacy/renewals.html", {"states": states, "policies": policies})
