"""[N] The change log as a person reads it: verbose names, labels, masked personal values, links."""

import csv
import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import Contact
from clients.models.choices import Source
from tests.clients.conftest import credit_code


@pytest.fixture
def contact_change(officer1):
    enterprise = services.enterprise_create(
        user=officer1, name="杭州明远科技有限公司", credit_code=credit_code(), industry="C"
    )
    contact = services.contact_create(
        user=officer1, enterprise=enterprise, name="王小二", mobile="13912345678", position="总经理"
    )
    services.contact_update(user=officer1, contact=contact, name="王大二", position="董事长", mobile="13987654321")
    return contact


def _log_page(client, contact):
    ct = ContentType.objects.get_for_model(Contact)
    return client.get(reverse("audit:trail"), {"object_type": ct.pk, "object_id": contact.pk})


def test_trail_shows_a_contact_change_by_verbose_names_and_no_raw_labels(client_for, auditor, contact_change):
    response = _log_page(client_for(auditor), contact_change)
    body = response.content.decode()
    assert response.status_code == 200
    assert "clients.contact" not in body and "clients.Contact" not in body  # no raw model label
    assert f"联系人 #{contact_change.pk}" in body  # the object by its verbose name, never the person's name
    assert "职务" in body and "董事长" in body  # field by verbose name, plain value
    assert ">position<" not in body and "position:" not in body
    assert "王大二" not in body and "王小二" not in body and "13987654321" not in body  # personal: masked
    assert "[已加密]" in body
    assert "杭州明远科技有限公司" in body  # the related enterprise by its name, not its id
    assert reverse("clients:contact_detail", args=[contact_change.pk]) in body  # a link to the object


def test_trail_shows_choice_labels_and_local_times(client_for, auditor, contact_change):
    entry = LogEntry.objects.get_for_object(contact_change).filter(action=LogEntry.Action.CREATE).get()
    body = _log_page(client_for(auditor), contact_change).content.decode()
    source = entry.changes["source"][1]
    assert str(Source(source).label) in body
    assert f"信息来源</span>：{source}" not in body  # the label, not the stored code
    stored = entry.changes["created_at"][1]  # UTC, without a zone, as auditlog writes it
    utc = datetime.datetime.fromisoformat(stored).replace(tzinfo=datetime.UTC)
    assert timezone.localtime(utc).strftime("%Y-%m-%d %H:%M:%S") in body
    assert stored[:19] not in body


def test_self_service_nonce_is_never_shown(client_for, auditor, officer1, contact_change):
    from privacy.selfservice.models import SelfServiceLink
    from privacy.selfservice.services import selfservice_link

    selfservice_link(contact_change, user=officer1)
    link = SelfServiceLink.objects.get(contact=contact_change)
    ct = ContentType.objects.get_for_model(SelfServiceLink)
    body = client_for(auditor).get(reverse("audit:trail"), {"object_type": ct.pk}).content.decode()
    assert link.nonce not in body
    export = client_for(auditor).get(reverse("audit:export", kwargs={"kind": "log"}), {"object_type": ct.pk})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert link.nonce not in text


def test_csv_export_has_readable_values_next_to_raw(client_for, auditor, contact_change):
    ct = ContentType.objects.get_for_model(Contact)
    response = client_for(auditor).get(
        reverse("audit:export", kwargs={"kind": "log"}), {"object_type": ct.pk, "object_id": contact_change.pk}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    readable, raw = header.index("变更"), header.index("变更（原始值）")
    update = next(r for r in rows[1:] if r[header.index("动作")] == "修改")
    assert "职务" in update[readable] and "董事长" in update[readable]
    assert "position" in update[raw]
    assert "王大二" not in "".join(update)
    assert (
        update[header.index("对象类型")] == "联系人" and update[header.index("对象类型（原始）")] == "clients.contact"
    )
