"""Security incidents: the only paths that change them (keyword-only, atomic, each writes its
timeline entry), the people query, the Art. 57 notice and the reminders."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.roles import has_role

from .models import (
    ContainmentTask,
    Drill,
    Incident,
    IncidentNotification,
    IncidentStatus,
    IncidentSubject,
    NoticeChannel,
    TimelineEntry,
)

MAX_PEOPLE = 200_000


def can_manage(user):
    return has_role(user, "privacy_officer", "admin")


def _require_manager(user):
    if not can_manage(user):
        raise PermissionDenied(_("只有个人信息保护负责人可以处置安全事件。"))


def _require_open(incident):
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError(_("事件已结案，不能再修改。"))


def _log(incident, user, text):
    TimelineEntry.objects.create(incident=incident, author=user, text=str(text)[:500])


@transaction.atomic
def incident_create(*, user, source_anomaly=None, **fields):
    _require_manager(user)
    incident = Incident.objects.create(reported_by=user, source_anomaly=source_anomaly, **fields)
    _log(incident, user, _("登记事件（级别：%(level)s）") % {"level": incident.get_level_display()})
    if source_anomaly is not None:
        _log(incident, user, _("由异常访问 #%(id)s 发起") % {"id": source_anomaly.pk})
    return incident


@transaction.atomic
def incident_update(*, incident, user, **fields):
    _require_manager(user)
    _require_open(incident)
    old_level = incident.level
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.save(update_fields=list(fields))
    if incident.level != old_level:
        _log(incident, user, _("级别调整为：%(level)s") % {"level": incident.get_level_display()})
    else:
        _log(incident, user, _("更新事件信息"))
    return incident


# --- The affected people ------------------------------------------------------------------------


def people_query(*, mode, user_id=None, date_from=None, date_to=None, event_id=None, share_id=None, contact_ids=()):
    """Contact ids chosen by one of three queries (a set, sorted), and the selection to store.

    - "reads": every contact a user viewed, revealed, exported or shared in a period (the access trail);
    - "event": the people of one export (an access event) or one share;
    - "list": the given contact ids.
    """
    from audit.anomalies import READ_ACTIONS
    from audit.models import AccessSubject
    from clients.models import Contact

    if mode == "reads":
        if not (user_id and date_from and date_to) or date_from > date_to:
            raise ValidationError(_("请选择用户和起止日期（开始日期不能晚于结束日期）。"))
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        ids = AccessSubject.objects.filter(
            event__user_id=user_id, action__in=READ_ACTIONS, at__gte=start, at__lt=end
        ).values_list("contact_id", flat=True)
        selection = {"mode": mode, "user": user_id, "from": f"{date_from:%Y-%m-%d}", "to": f"{date_to:%Y-%m-%d}"}
    elif mode == "event":
        if event_id:
            ids = AccessSubject.objects.filter(event_id=event_id).values_list("contact_id", flat=True)
            selection = {"mode": mode, "event": event_id}
        elif share_id:
            from privacy.sharing.models import ShareSubject

            ids = ShareSubject.objects.filter(share_id=share_id).values_list("contact_id", flat=True)
            selection = {"mode": mode, "share": share_id}
        else:
            raise ValidationError(_("请填写访问记录编号或对外提供记录编号。"))
    elif mode == "list":
        wanted = sorted({int(pk) for pk in contact_ids})
        if not wanted:
            raise ValidationError(_("请填写联系人编号。"))
        ids = Contact.objects.filter(pk__in=wanted).values_list("pk", flat=True)
        selection = {"mode": mode, "count": len(wanted)}
    else:
        raise ValidationError(_("请选择受影响人员的查找方式。"))
    found = list(ids.order_by("contact_id" if mode != "list" else "pk").distinct()[: MAX_PEOPLE + 1])
    if len(found) > MAX_PEOPLE:
        raise ValidationError(_("人数超过 %(n)s，请缩小范围。") % {"n": MAX_PEOPLE})
    return found, selection


@transaction.atomic
def incident_select_people(*, incident, user, contact_ids, selection):
    """Replace the incident's set of affected people; the count is kept on the incident."""
    _require_manager(user)
    _require_open(incident)
    IncidentSubject.objects.filter(incident=incident).delete()
    IncidentSubject.objects.bulk_create(
        [IncidentSubject(incident=incident, contact_id=pk) for pk in contact_ids], batch_size=5000
    )
    incident.affected_count = len(contact_ids)
    incident.affected_query = selection
    incident.save(update_fields=["affected_count", "affected_query"])
    _log(incident, user, _("确定受影响人员：%(n)s 人") % {"n": len(contact_ids)})
    return incident.affected_count


# --- Containment, regulator, notice, closure ------------------------------------------------------


@transaction.atomic
def task_add(*, incident, user, title, owner, due_date):
    _require_manager(user)
    _require_open(incident)
    task = ContainmentTask.objects.create(incident=incident, title=title, owner=owner, due_date=due_date)
    _log(incident, user, _("新增处置任务：%(title)s") % {"title": title})
    return task


@transaction.atomic
def task_complete(*, task, user):
    if not (can_manage(user) or task.owner_id == user.pk):
        raise PermissionDenied(_("只有任务负责人或个人信息保护负责人可以确认完成。"))
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        _log(task.incident, user, _("处置任务完成：%(title)s") % {"title": task.title})
    return task


@transaction.atomic
def timeline_add(*, incident, user, text):
    _require_manager(user)
    _require_open(incident)
    _log(incident, user, text)


@transaction.atomic
def incident_report_regulator(*, incident, user, reported_at, note=""):
    _require_manager(user)
    _require_open(incident)
    if reported_at > timezone.now():
        raise ValidationError(_("报告时间不能晚于现在。"))
    if reported_at < incident.detected_at:
        raise ValidationError(_("报告时间不能早于发现时间。"))
    incident.reported_to_regulator_at = reported_at
    incident.regulator_report_note = note
    incident.save(update_fields=["reported_to_regulator_at", "regulator_report_note"])
    late = incident.report_overdue()
    _log(incident, user, _("已向监管部门报告（超时）") if late else _("已向监管部门报告"))
    return incident


def notice_problems(incident):
    """Why the notice cannot go out yet: the missing checklist items, and no people chosen."""
    problems = [_("告知内容缺少：%(item)s") % {"item": label} for label in incident.missing_notice_items()]
    if not incident.affected_count:
        problems.append(_("尚未确定受影响人员。"))
    return problems


@transaction.atomic
def incident_notify(*, incident, user):
    """Tell every affected person (PIPL Art. 57): at once a notice on their self-service page, then
    (a background task, `incident_messages_send`) an SMS to their mobile or else an e-mail. Refused
    while a required item of the notice is missing. Each notification is recorded; sending again
    tells only people not told yet. Returns the number told on the self-service page now."""
    from zhaoshang.core.tasks import enqueue

    from .selfservice import notice_flags_set
    from .tasks import send_incident_messages

    _require_manager(user)
    _require_open(incident)
    problems = notice_problems(incident)
    if problems:
        raise ValidationError(problems)
    told = IncidentNotification.objects.filter(incident=incident, channel=NoticeChannel.SELFSERVICE)
    ids = list(
        incident.subjects.exclude(contact_id__in=told.values("contact_id"))
        .order_by("contact_id")
        .values_list("contact_id", flat=True)
    )
    IncidentNotification.objects.bulk_create(
        [
            IncidentNotification(incident=incident, contact_id=pk, channel=NoticeChannel.SELFSERVICE, sent_by=user)
            for pk in ids
        ],
        batch_size=5000,
    )
    if incident.notified_at is None and ids:
        incident.notified_at = timezone.now()
        incident.save(update_fields=["notified_at"])
    _log(incident, user, _("告知个人：自助页面公告 %(n)s 人；短信或邮件随后发送") % {"n": len(ids)})
    transaction.on_commit(lambda: notice_flags_set(ids))
    enqueue(send_incident_messages, incident.pk)  # a broker failure: the periodic job sends them
    return len(ids)


def incident_messages_send(incident):
    """Send the SMS (or else the e-mail) to every person told on the self-service page who has had
    neither yet; record each. Idempotent: the background task and the periodic job both call it.
    Returns {"sms": n, "email": n, "none": n}."""
    from clients.models import Contact
    from privacy.crypto import SubjectKeyShredded
    from privacy.sms import get_sms_backend
    from zhaoshang.core.mail import send_email

    messaged = IncidentNotification.objects.filter(
        incident=incident, channel__in=[NoticeChannel.SMS, NoticeChannel.EMAIL]
    ).values("contact_id")
    ids = list(
        IncidentNotification.objects.filter(incident=incident, channel=NoticeChannel.SELFSERVICE)
        .exclude(contact_id__in=messaged)
        .order_by("contact_id")
        .values_list("contact_id", flat=True)
    )
    counts = {"sms": 0, "email": 0, "none": 0}
    if not ids:
        return counts
    sender = incident.notifications.filter(channel=NoticeChannel.SELFSERVICE).values_list("sent_by", flat=True)[0]
    sms = get_sms_backend()
    text = _(
        "【%(zone)s】您的个人信息可能受到一起安全事件的影响（%(ref)s）。"
        "详情及可采取的措施请查看您的个人信息自助页面，或联系：%(contact)s"
    ) % {"zone": settings.ZONE_NAME, "ref": incident.reference, "contact": incident.notice_contact}
    for start in range(0, len(ids), 500):
        records = []
        for contact in Contact.objects.filter(pk__in=ids[start : start + 500]).order_by("pk"):
            try:
                mobile, email = contact.mobile, contact.email
            except SubjectKeyShredded:  # erased meanwhile: nothing to send to
                mobile = email = ""
            if mobile:
                channel, ok = NoticeChannel.SMS, bool(sms.send(mobile, text))
            elif email:
                channel = NoticeChannel.EMAIL
                ok = bool(send_email("privacy/email/incident_notice", {"incident": incident}, [email]))
            else:
                counts["none"] += 1
                continue
            counts[channel] += 1
            records.append(
                IncidentNotification(
                    incident=incident, contact=contact, channel=channel, sent_by_id=sender, delivered=ok
                )
            )
        IncidentNotification.objects.bulk_create(records)
    if counts["sms"] or counts["email"]:
        _log(
            incident,
            None,
            _("已发送短信 %(m)s 人、邮件 %(e)s 人；%(n)s 人无联系方式")
            % {"m": counts["sms"], "e": counts["email"], "n": counts["none"]},
        )
    return counts


@transaction.atomic
def incident_close(*, incident, user, root_cause, lessons):
    _require_manager(user)
    _require_open(incident)
    problems = []
    if not root_cause.strip() or not lessons.strip():
        problems.append(_("结案前请填写根本原因和经验教训。"))
    if incident.tasks.filter(done_at__isnull=True).exists():
        problems.append(_("尚有未完成的处置任务。"))
    if incident.report_deadline is not None and incident.reported_to_regulator_at is None:
        problems.append(_("该级别事件须向监管部门报告，尚未登记报告。"))
    if problems:
        raise ValidationError(problems)
    incident.root_cause, incident.lessons = root_cause, lessons
    incident.status, incident.closed_at, incident.closed_by = IncidentStatus.CLOSED, timezone.now(), user
    incident.save(update_fields=["root_cause", "lessons", "status", "closed_at", "closed_by"])
    _log(incident, user, _("结案"))
    return incident


@transaction.atomic
def incident_mark_contained(*, incident, user):
    _require_manager(user)
    _require_open(incident)
    incident.status = IncidentStatus.CONTAINED
    incident.save(update_fields=["status"])
    _log(incident, user, _("事态已控制"))
    return incident


@transaction.atomic
def drill_record(*, user, held_on, scenario, participants, findings=""):
    _require_manager(user)
    if held_on > timezone.localdate():
        raise ValidationError(_("演练日期不能晚于今天。"))
    return Drill.objects.create(
        held_on=held_on, scenario=scenario, participants=participants, findings=findings, recorded_by=user
    )


def last_drill(today=None):
    return Drill.objects.order_by("-held_on").first()


def drill_due(today=None):
    """True when no drill was held in the last INCIDENT_DRILL_MONTHS months."""
    from privacy.training.services import add_months

    today = today or timezone.localdate()
    since = add_months(today, -settings.INCIDENT_DRILL_MONTHS)
    return not Drill.objects.filter(held_on__gt=since).exists()


def incidents_remind(now=None):
    """Reports due within the next hours (and overdue) and the yearly drill. Returns reminders written."""
    from privacy.sharing.reminders import privacy_officers, remind

    from .selfservice import notice_flags_refresh

    notice_flags_refresh()
    for incident in Incident.objects.open().filter(notified_at__isnull=False):
        incident_messages_send(incident)  # messages a failed broker left unsent
    now = now or timezone.now()
    officers = privacy_officers()
    sent = 0
    for incident in Incident.objects.open().filter(reported_to_regulator_at__isnull=True):
        deadline = incident.report_deadline
        if deadline is None:
            continue
        sent += remind(
            officers,
            "incident_report_due",
            incident,
            {"reference": incident.reference, "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
            once_key="report",
        )
    today = timezone.localdate(now)
    if drill_due(today):
        drill = last_drill()
        week = today.isocalendar()
        sent += remind(
            officers,
            "incident_drill_due",
            None,
            {"last": f"{drill.held_on:%Y-%m-%d}" if drill else "—"},
            once_key=f"{week.year}-W{week.week:02d}",
        )
    return sent
