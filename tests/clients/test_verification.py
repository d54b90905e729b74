"""企业核实: the status with its choices in lists and on the page; heads verify (who, when, how), audited."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from clients import services
from clients.models import Enterprise


def test_status_label_shows_in_the_list_and_on_the_page(client_for, officer1, make_enterprise):
    enterprise = make_enterprise(officer1, name="待核实展示有限公司")
    client = client_for(officer1)
    assert "待核实" in client.get(reverse("clients:enterprise_list")).content.decode()
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "待核实" in page
    assert reverse("clients:enterprise_verify", args=[enterprise.pk]) not in page  # officers do not verify


def test_head_verifies_through_the_page_and_it_is_audited(client_for, head1, officer1, make_enterprise):
    enterprise = make_enterprise(officer1)
    client = client_for(head1)
    url = reverse("clients:enterprise_verify", args=[enterprise.pk])
    assert url in client.get(enterprise.get_absolute_url()).content.decode()
    response = client.post(url, {"status": "verified", "method": "", "note": ""})
    assert response.status_code == 200 and "请选择核实方式" in response.content.decode()
    response = client.post(url, {"status": "verified", "method": "gsxt", "note": "公示系统查询：存续，代码一致"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.verification_status, enterprise.verification_method) == ("verified", "gsxt")
    assert enterprise.verified_by == head1 and enterprise.verified_at is not None
    entry = LogEntry.objects.get_for_object(enterprise).filter(actor=head1).latest("timestamp")
    assert "verification_status" in entry.changes_dict
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "已核实" in page and "国家企业信用信息公示系统人工查询" in page


def test_only_the_departments_head_may_verify(officer1, org, make_enterprise):
    enterprise = make_enterprise(officer1)
    for user in (officer1, org["head2"]):
        with pytest.raises(PermissionDenied):
            services.enterprise_verify(user=user, enterprise=enterprise, status="verified", method="gsxt")
    assert Enterprise.objects.get(pk=enterprise.pk).verification_status == "pending"


def test_verify_refuses_unknown_codes(head1, officer1, make_enterprise):
    enterprise = make_enterprise(officer1)
    with pytest.raises(services.ServiceError):
        services.enterprise_verify(user=head1, enterprise=enterprise, status="approved", method="gsxt")
