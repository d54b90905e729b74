"""Training and recognition: the only paths that change them, the coverage read and the reminders."""

import calendar
import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.roles import has_role
from privacy import files

from .models import Completion, Course, Recognition

MATERIAL_FILE = "privacy.training_material"  # purpose of the encrypted course material


def _require_manager(user):
    if not (has_role(user, "privacy_officer", "admin")):
        raise PermissionDenied(_("只有个人信息保护负责人可以管理培训记录。"))


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def course_create(*, user, title, audience_roles, validity_months, link="", upload=None, content_type=""):
    _require_manager(user)
    if not link and upload is None:
        raise ValidationError(_("请上传培训材料或填写课程链接。"))
    course = Course.objects.create(
        title=title, audience_roles=list(audience_roles), validity_months=validity_months, link=link
    )
    if upload is not None:
        course.material = files.encrypted_upload(course, upload, purpose=MATERIAL_FILE)
        course.material_type = content_type
        course.save(update_fields=["material", "material_type"])
    return course


def course_material(course):
    """The plaintext bytes of the course's material (for a logged-in reader)."""
    return files.open_decrypted(course, course.material, purpose=MATERIAL_FILE)


@transaction.atomic
def completion_record(
    *, user, course, completed_on, passed, score=None, person=None, partner=None, partner_staff_name=""
):
    """Record that `person` (staff) or a partner's staff member completed `course`."""
    _require_manager(user)
    if (person is None) == (partner is None):
        raise ValidationError(_("请选择本单位人员，或选择合作方并填写其人员姓名。"))
    if partner is not None and not partner_staff_name.strip():
        raise ValidationError(_("请填写合作方人员姓名。"))
    if completed_on > timezone.localdate():
        raise ValidationError(_("完成日期不能晚于今天。"))
    return Completion.objects.create(
        course=course,
        user=person,
        partner=partner,
        partner_staff_name=partner_staff_name.strip() if partner is not None else "",
        completed_on=completed_on,
        score=score,
        passed=passed,
        expires_on=add_months(completed_on, course.validity_months),
        recorded_by=user,
    )


@transaction.atomic
def recognition_add(*, user, person, awarded_on, title, reason=""):
    _require_manager(user)
    return Recognition.objects.create(user=person, awarded_on=awarded_on, title=title, reason=reason, awarded_by=user)


def revealing_staff():
    """Active users who may reveal personal data — a contact's or a complainant's — through a role,
    directly, or as superuser: the people the training gate concerns."""
    from django.contrib.auth.models import Permission

    perm = Q(codename="reveal_contact", content_type__app_label="clients") | Q(
        codename="reveal_complainant", content_type__app_label="complaints"
    )

    perms = Permission.objects.filter(perm)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perms) | Q(user_permissions__in=perms) | Q(is_superuser=True))
        .distinct()
    )


def current_completion_exists(today=None):
    return Exists(Completion.objects.current(today).filter(user=OuterRef("pk")))


def coverage(*, department_ids=None, today=None):
    """Rows of (department name, role, staff who may reveal, of whom trained) and the totals.

    Two queries: the staff with their department, role codes and a current-completion flag.
    """
    from clients.models import Role

    staff = revealing_staff().annotate(trained=current_completion_exists(today))
    if department_ids is not None:
        staff = staff.filter(profile__department_id__in=department_ids)
    people = list(staff.values_list("pk", "profile__department__name", "trained"))
    roles = {}
    for user_id, code in Role.objects.filter(group__user__in=[p[0] for p in people]).values_list("group__user", "code"):
        roles.setdefault(user_id, []).append(code)
    labels = dict(Role.Code.choices)
    by_department, by_role = {}, {}
    for user_id, department, trained in people:
        key = department or _("未分配部门")
        row = by_department.setdefault(key, [0, 0])
        row[0] += 1
        row[1] += int(trained)
        for code in roles.get(user_id, []) or ["—"]:
            row = by_role.setdefault(str(labels.get(code, code)), [0, 0])
            row[0] += 1
            row[1] += int(trained)
    total = len(people)
    trained = sum(1 for p in people if p[2])
    return {
        "departments": sorted((k, *v) for k, v in by_department.items()),
        "roles": sorted((k, *v) for k, v in by_role.items()),
        "total": total,
        "trained": trained,
        "untrained_ids": [p[0] for p in people if not p[2]],
    }


def training_remind(today=None):
    """Completions that expire in TRAINING_EXPIRY_NOTICE_DAYS days (or expired today, with no newer
    current one): a reminder to the person and the privacy officer. Returns reminders written."""
    from django.conf import settings

    from privacy.sharing.reminders import privacy_officers, remind

    today = today or timezone.localdate()
    sent = 0
    days = settings.TRAINING_EXPIRY_NOTICE_DAYS
    officers = privacy_officers()
    newer = Completion.objects.filter(
        user=OuterRef("user"), course=OuterRef("course"), passed=True, expires_on__gt=OuterRef("expires_on")
    )
    due = (
        Completion.objects.staff()
        .filter(passed=True, expires_on__in=[today, today + datetime.timedelta(days=days)])
        .exclude(Exists(newer))
        .select_related("user", "course")
    )
    for completion in due:
        sent += remind(
            [completion.user, *officers],
            "training_expiring",
            completion.course,
            {"course": completion.course_id, "date": completion.expires_on},
            once_key=f"{completion.user_id}:{completion.expires_on:%Y-%m-%d}",
        )
    return sent
