"""A contact whose key was shredded shows as erased, and deleting a contact keeps its trail."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from clients import services
from clients.models import Contact
from privacy.crypto import shred_subject


def _contact(owner, make_enterprise):
    enterprise = make_enterprise(owner)
    return services.contact_create(
        user=owner, enterprise=enterprise, name="王小明", mobile="13912345678", email="wxm@example.cn"
    )


def test_detail_page_of_a_shredded_contact_renders_without_its_data(client, officer1, make_enterprise):
    contact = _contact(officer1, make_enterprise)
    shred_subject(contact)
    client.force_login(officer1)
    response = client.get(contact.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "139****5678" not in body and "王*" not in body


def test_deleting_a_contact_shreds_its_key_and_logs_the_delete_masked(officer1, make_enterprise):
    contact = _contact(officer1, make_enterprise)
    key = contact.subject_key
    pk = contact.pk
    Contact.objects.get(pk=pk).delete()
    key.refresh_from_db()
    assert key.wrapped_key is None
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Contact), object_pk=str(pk), action=LogEntry.Action.DELETE
    )
    assert "13912345678" not in str(entry.changes) and "王小明" not in str(entry.changes)
