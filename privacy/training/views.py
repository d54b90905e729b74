"""Training pages: courses and their completions, coverage per department and role, a staff
member's training and recognition page, partner staff training and the material download.

The privacy officer manages; auditors read; a department head sees the coverage and the staff
pages of their own department (tree); every user sees their own page. Anyone else gets 404.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clients.models import Department
from clients.roles import has_role
from privacy import files

from . import forms, services
from .models import Completion, Course, Recognition


def can_manage(user):
    return has_role(user, "privacy_officer", "admin")


def can_read_all(user):
    return user.has_perm("privacy.view_completion")


def head_department_ids(user):
    """Departments (with everything below) the user heads; empty for anyone else."""
    if not has_role(user, "dept_head"):
        return set()
    department = getattr(getattr(user, "profile", None), "department", None)
    ids = set(Department.objects.filter(head=user).values_list("pk", flat=True))
    if department is not None:
        ids.add(department.pk)
    out = set()
    for pk in ids:
        out |= Department.tree_ids(pk)
    return out


def _require_reader(user):
    if not can_read_all(user):
        raise Http404


def course_list(request):
    _require_reader(request.user)
    form = forms.CourseForm() if can_manage(request.user) else None
    return _course_list(request, form)


def _course_list(request, form, status=200):
    courses = list(Course.objects.order_by("-is_active", "title"))
    labels = dict(forms.Role.Code.choices)
    for course in courses:
        course.audience_labels = [str(labels.get(code, code)) for code in course.audience_roles]
    return render(request, "privacy/training/courses.html", {"courses": courses, "form": form}, status=status)


@require_POST
def course_create(request):
    _require_reader(request.user)
    if not can_manage(request.user):
        raise PermissionDenied
    form = forms.CourseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            course = services.course_create(
                user=request.user,
                title=data["title"],
                audience_roles=data["audience_roles"],
                validity_months=data["validity_months"],
                link=data["link"],
                upload=data["material"],
                content_type=form.content_type,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已创建课程。"))
            return redirect("privacy:training_course", pk=course.pk)
    return _course_list(request, form, status=400)


def _get_course(user, pk):
    _require_reader(user)
    course = Course.objects.filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


@require_http_methods(["GET", "POST"])
def course_detail(request, pk):
    course = _get_course(request.user, pk)
    form = None
    if can_manage(request.user):
        form = forms.CompletionForm(request.POST or None, initial={"completed_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.completion_record(
                    user=request.user,
                    course=course,
                    person=data["person"],
                    partner=data["partner"],
                    partner_staff_name=data["partner_staff_name"],
                    completed_on=data["completed_on"],
                    score=data["score"],
                    passed=data["passed"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("已登记培训记录。"))
                return redirect("privacy:training_course", pk=course.pk)
    elif request.method == "POST":
        raise PermissionDenied
    completions = list(course.completions.select_related("user", "partner")[:500])
    return render(
        request,
        "privacy/training/course.html",
        {
            "course": course,
            "completions": completions,
            "form": form,
            "today": timezone.localdate(),
            "can_edit": form is not None,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def course_material(request, pk):
    course = _get_course(request.user, pk)
    if not course.material:
        raise Http404
    try:
        data = services.course_material(course)
    except OSError:
        raise Http404 from None
    return files.attachment_response(
        data, content_type=course.material_type or "application/octet-stream", filename=f"course-{course.pk}"
    )


def coverage(request):
    user = request.user
    if can_read_all(user):
        department_ids, scope = None, _("全部部门")
    else:
        department_ids = head_department_ids(user)
        if not department_ids:
            raise Http404
        scope = _("本部门")
    data = services.coverage(department_ids=department_ids)
    untrained = list(
        get_user_model().objects.filter(pk__in=data["untrained_ids"][:500]).order_by("last_name", "first_name", "pk")
    )
    return render(request, "privacy/training/coverage.html", {"data": data, "scope": scope, "untrained": untrained})


def staff_page(request, user_id):
    """A staff member's trainings and recognitions: themself, readers, and heads of their department."""
    person = get_user_model().objects.select_related("profile").filter(pk=user_id).first()
    if person is None:
        raise Http404
    user = request.user
    if not (person.pk == user.pk or can_read_all(user)):
        department_id = getattr(getattr(person, "profile", None), "department_id", None)
        if department_id is None or department_id not in head_department_ids(user):
            raise Http404
    from .gate import training_current

    return render(
        request,
        "privacy/training/staff.html",
        {
            "person": person,
            "completions": list(Completion.objects.filter(user=person).select_related("course")),
            "recognitions": list(Recognition.objects.filter(user=person).select_related("awarded_by")),
            "current": training_current(person),
            "today": timezone.localdate(),
            "form": forms.RecognitionForm() if can_manage(user) else None,
        },
    )


def training_mine(request):
    return redirect("privacy:training_staff", user_id=request.user.pk)


@require_POST
def recognition_add(request, user_id):
    _require_reader(request.user)
    if not can_manage(request.user):
        raise PermissionDenied
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    form = forms.RecognitionForm(request.POST)
    if form.is_valid():
        services.recognition_add(user=request.user, person=person, **form.cleaned_data)
        messages.success(request, _("已登记表彰。"))
    else:
        messages.error(request, _("请填写表彰日期和表彰事项。"))
    return redirect("privacy:training_staff", user_id=person.pk)


def partner_training(request):
    _require_reader(request.user)
    completions = list(
        Completion.objects.filter(partner__isnull=False)
        .select_related("course", "partner")
        .order_by("partner__name", "-completed_on")[:1000]
    )
    return render(
        request,
        "privacy/training/partners.html",
        {"completions": completions, "today": timezone.localdate(), "show_names": can_manage(request.user)},
    )


def recognitions(request):
    _require_reader(request.user)
    rows = list(Recognition.objects.select_related("user", "awarded_by")[:500])
    return render(request, "privacy/training/recognitions.html", {"rows": rows})
