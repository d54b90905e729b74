"""Training: the one gate (reveal, clear export, share refused without a current completion and
allowed after), expiry, coverage, partner staff, recognition and the scorecard rows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from privacy.scorecard.base import AMBER, GREEN, NO_DATA, RED
from privacy.training import services
from privacy.training.gate import TrainingRequired, training_current
from privacy.training.models import Completion
from privacy.training.scorecard import recognition_count, training_coverage

from . import sharing_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate_on(settings):
    settings.REVEAL_REQUIRES_TRAINING = True


@pytest.fixture
def course(dpo):
    return services.course_create(
        user=dpo, title="个人信息保护基础", audience_roles=[], validity_months=12, link="https://learn.example.cn/pipl"
    )


def _train(dpo, course, person, *, days_ago=0, passed=True):
    return services.completion_record(
        user=dpo,
        course=course,
        person=person,
        completed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        passed=passed,
        score=90 if passed else 40,
    )


def _reveal(client, contact):
    return client.post(f"/clients/contacts/{contact.pk}/reveal/mobile/", {"purpose": "call"})


def test_reveal_refused_without_a_current_training_and_allowed_after(
    gate_on, client_for, officer1, dpo, course, make_contact
):
    contact = make_contact()
    client = client_for(officer1)
    refused = _reveal(client, contact)
    assert refused.status_code == 403
    assert "个人信息保护培训" in refused.content.decode() and contact.mobile not in refused.content.decode()
    _train(dpo, course, officer1)
    allowed = _reveal(client, contact)
    assert allowed.status_code == 200 and contact.mobile in allowed.content.decode()


def test_expired_or_failed_training_does_not_count(gate_on, officer1, dpo, course):
    _train(dpo, course, officer1, days_ago=400)  # 12-month validity: expired
    _train(dpo, course, officer1, passed=False)
    assert not training_current(officer1)
    _train(dpo, course, officer1, days_ago=300)
    assert training_current(officer1)


def test_a_course_for_other_roles_does_not_count(gate_on, officer1, dpo):
    course = services.course_create(
        user=dpo, title="审计员专题", audience_roles=["auditor"], validity_months=12, link="https://x.example.cn"
    )
    _train(dpo, course, officer1)
    assert not training_current(officer1)


def test_clear_export_refused_without_training(gate_on, client_for, head1, dpo, course, make_contact):
    make_contact(owner=head1)
    client = client_for(head1)
    refused = client.get("/clients/export/contact/?format=csv&clear=1")
    assert refused.status_code == 403 and "个人信息保护培训" in refused.content.decode()
    assert client.get("/clients/export/contact/?format=csv").status_code == 200  # masked export: no gate
    _train(dpo, course, head1)
    assert client.get("/clients/export/contact/?format=csv&clear=1").status_code == 200


def test_share_refused_without_training(gate_on, officer1, dpo, course, make_contact):
    from audit.access import record_access_each

    with pytest.raises(TrainingRequired):
        record_access_each(officer1, "share", [make_contact().pk], purpose="p")
    _train(dpo, course, officer1)
    assert record_access_each(officer1, "share", [make_contact().pk], purpose="p") == 1


def test_gate_is_off_by_default_in_tests(officer1):
    from audit.access import record_access

    assert record_access(officer1, "reveal", purpose="p").pk


def test_only_the_privacy_officer_records_training(officer1, course):
    with pytest.raises(PermissionDenied):
        _train(officer1, course, officer1)


def test_partner_staff_training_is_recorded_with_the_name_encrypted(dpo, course):
    from django.db import connection

    partner = f.partner(dpo)
    completion = services.completion_record(
        user=dpo,
        course=course,
        partner=partner,
        partner_staff_name="钱多多",
        completed_on=timezone.localdate(),
        passed=True,
    )
    assert completion.expires_on == services.add_months(timezone.localdate(), 12)
    with connection.cursor() as cursor:
        cursor.execute("SELECT partner_staff_name FROM privacy_completion WHERE id = %s", [completion.pk])
        assert "钱多多" not in cursor.fetchone()[0]
    assert Completion.objects.get(pk=completion.pk).partner_staff_name == "钱多多"
    with pytest.raises(ValidationError):
        services.completion_record(
            user=dpo, course=course, partner=partner, completed_on=timezone.localdate(), passed=True
        )


def test_expiry_month_arithmetic():
    assert services.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert services.add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)


def test_expiry_reminder(dpo, officer1, course):
    from zhaoshang.core.notifications.models import Notification

    completion = _train(dpo, course, officer1)
    Completion.objects.filter(pk=completion.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=30))
    assert services.training_remind() >= 1
    assert Notification.objects.filter(user=officer1, kind="training_expiring").count() == 1
    services.training_remind()
    assert Notification.objects.filter(user=officer1, kind="training_expiring").count() == 1


def test_coverage_per_department_and_role(dpo, officer1, head1, course):
    _train(dpo, course, officer1)
    data = services.coverage()
    roles = {name: (total, trained) for name, total, trained in data["roles"]}
    assert roles["招商专员"][1] == 1 and roles["招商专员"][0] >= 3
    assert data["trained"] == 1 and data["total"] >= 5
    assert head1.pk in data["untrained_ids"] and officer1.pk not in data["untrained_ids"]


def test_training_row_red_with_untrained_staff_and_green_when_fixed(dpo, org):
    assert training_coverage().level == NO_DATA  # no course yet
    course = services.course_create(user=dpo, title="基础", audience_roles=[], validity_months=12, link="https://x.cn")
    result = training_coverage()
    assert result.level == RED and result.figures["trained"] == 0 and result.drilldown == "/privacy/training/coverage/"
    for user in services.revealing_staff():
        _train(dpo, course, user)
    assert training_coverage().level == GREEN


def test_recognition_row_amber_when_none_in_twelve_months(dpo, officer1, django_assert_max_num_queries):
    services.recognition_add(
        user=dpo, person=officer1, awarded_on=timezone.localdate() - datetime.timedelta(days=400), title="旧"
    )
    assert recognition_count().level == AMBER
    services.recognition_add(user=dpo, person=officer1, awarded_on=timezone.localdate(), title="规范查看明文")
    with django_assert_max_num_queries(3):
        result = recognition_count()
    assert result.level == GREEN and result.value == "1"


def test_training_row_within_three_queries(dpo, course, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        training_coverage()


def test_demo_step_trains_all_but_officer3_and_is_idempotent(org, settings):
    from privacy.training.demo import seed_training

    settings.REVEAL_REQUIRES_TRAINING = True
    assert seed_training() > 0
    assert training_current(org["officer1"]) and not training_current(org["officer3"])
    assert seed_training() == 0
