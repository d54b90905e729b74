"""Anomaly rules fire on seeded behaviour, once; an anomaly opens a finding with one click."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from audit.access import record_access
from audit.anomalies import detect_anomalies
from audit.models import AccessEvent, Anomaly, Finding
from audit.tasks import detect_anomalies as detect_task

pytestmark = pytest.mark.django_db
A = AccessEvent.Action
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2026, 3, 2)  # an ordinary working Monday
SATURDAY = datetime.date(2026, 3, 7)


def _event(user, action, day, hour, **kwargs):
    event = record_access(user, action, **kwargs)
    AccessEvent.objects.filter(pk=event.pk).update(
        at=datetime.datetime.combine(day, datetime.time(hour, 5), tzinfo=ZONE)
    )
    return event


def test_volume_rule_counts_reveals_and_exported_rows(officer1, officer2, settings):
    settings.ANOMALY_DAILY_REVEAL_THRESHOLD = 10
    for _ in range(6):
        _event(officer1, A.REVEAL, MONDAY, 10)
    _event(officer1, A.EXPORT, MONDAY, 11, row_count=5)  # 6 + 5 = 11 > 10
    for _ in range(10):
        _event(officer2, A.REVEAL, MONDAY, 10)  # exactly at the threshold: fine
    detect_anomalies(MONDAY)
    assert list(Anomaly.objects.filter(kind=Anomaly.Kind.VOLUME).values_list("user_id", "count")) == [(officer1.pk, 11)]


def test_off_hours_rule_evening_and_weekend(officer1, officer2, head1):
    _event(officer1, A.VIEW, MONDAY, 21)  # evening
    _event(officer2, A.VIEW, MONDAY, 9)  # office hours
    _event(head1, A.VIEW, SATURDAY, 10)  # weekend
    detect_anomalies(MONDAY)
    detect_anomalies(SATURDAY)
    flagged = set(Anomaly.objects.filter(kind=Anomaly.Kind.OFF_HOURS).values_list("user_id", flat=True))
    assert flagged == {officer1.pk, head1.pk}


def test_off_hours_ignores_sign_ins(officer1):
    _event(officer1, A.SIGN_IN, MONDAY, 23)
    assert detect_anomalies(MONDAY) == 0


def test_repeated_denied_rule(officer1, officer2, settings):
    settings.ANOMALY_DENIED_THRESHOLD = 3
    for _ in range(3):
        _event(officer1, A.DENIED, MONDAY, 10, detail={"path": "/clients/contacts/1/"})
    _event(officer2, A.DENIED, MONDAY, 10, detail={"path": "/clients/contacts/1/"})
    detect_anomalies(MONDAY)
    assert list(Anomaly.objects.filter(kind=Anomaly.Kind.DENIED).values_list("user_id", flat=True)) == [officer1.pk]


def test_large_export_rule_one_per_export(officer1, settings):
    settings.ANOMALY_EXPORT_ROWS_THRESHOLD = 100
    big = _event(officer1, A.EXPORT, MONDAY, 10, row_count=500)
    _event(officer1, A.EXPORT, MONDAY, 11, row_count=50)
    detect_anomalies(MONDAY)
    large = Anomaly.objects.get(kind=Anomaly.Kind.LARGE_EXPORT)
    assert large.count == 500 and large.detail["events"] == [big.pk]


def test_detection_is_idempotent(officer1):
    _event(officer1, A.VIEW, MONDAY, 22)
    assert detect_anomalies(MONDAY) == 1
    assert detect_anomalies(MONDAY) == 0
    assert detect_task(MONDAY.isoformat()) == 0
    assert Anomaly.objects.count() == 1


def test_auditor_opens_a_finding_with_one_click(client_for, auditor, officer1):
    _event(officer1, A.VIEW, MONDAY, 22)
    detect_anomalies(MONDAY)
    anomaly = Anomaly.objects.get()
    c = client_for(auditor)
    assert "立为审计发现" in c.get(reverse("audit:anomalies")).content.decode()
    response = c.post(reverse("audit:anomaly_finding", args=[anomaly.pk]))
    finding = Finding.objects.get()
    assert response.status_code == 302 and response.url == reverse("audit:finding_detail", args=[finding.pk])
    anomaly.refresh_from_db()
    assert anomaly.finding == finding
    assert finding.links.filter(content_type__model="anomaly", object_id=str(anomaly.pk)).exists()
    c.post(reverse("audit:anomaly_finding", args=[anomaly.pk]))  # second click: same finding
    assert Finding.objects.count() == 1


def test_privacy_officer_sees_anomalies_but_cannot_open_findings(client_for, dpo, officer1):
    _event(officer1, A.VIEW, MONDAY, 22)
    detect_anomalies(MONDAY)
    anomaly = Anomaly.objects.get()
    c = client_for(dpo)
    assert c.get(reverse("audit:anomalies")).status_code == 200
    assert c.post(reverse("audit:anomaly_finding", args=[anomaly.pk])).status_code == 403
