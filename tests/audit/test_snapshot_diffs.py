"""Audited updates diff against the row as loaded or last saved (audit.snapshots), not a re-read."""

import pickle

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry

from audit.snapshots import snapshot_of
from clients.models import Contact, Department, Enterprise
from privacy.crypto.fields import PersonalStr, Sealed
from privacy.crypto.masking import AUDIT_MASK
from privacy.models import PurgeRun

pytestmark = pytest.mark.django_db


def _last_update(obj):
    return LogEntry.objects.filter(object_pk=str(obj.pk), action=LogEntry.Action.UPDATE).order_by("-id").first()


@pytest.fixture
def dept():
    return Department.objects.create(name="招商一组", code="snap-dept", kind="team")


@pytest.fixture
def contact():
    ent = Enterprise.objects.create(name="快照测试企业有限公司")
    return Contact.objects.create(enterprise=ent, name="张三丰", mobile="13912345678", email="z@example.cn")


def _reread_count(captured, table):
    return sum(1 for q in captured if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])


# --- queries -------------------------------------------------------------------------------------


def test_update_of_a_loaded_row_costs_the_update_and_the_entry_only(dept, django_assert_num_queries):
    """auditlog re-read the row before each update (3 queries); the snapshot makes it 2."""
    dept = Department.objects.get(pk=dept.pk)
    dept.name = "招商二组"
    with django_assert_num_queries(2) as captured:  # UPDATE, INSERT LogEntry: no SELECT of the row
        dept.save()
    assert _reread_count(captured.captured_queries, "clients_department") == 0
    assert _last_update(dept).changes == {"name": ["招商一组", "招商二组"]}


def test_hand_built_instance_falls_back_to_the_reread(dept, django_assert_num_queries):
    copy = Department(pk=dept.pk, name="手工组", code=dept.code, kind="bureau")
    copy._state.adding = False  # what auditlog needs to treat the save as an update (as before)
    with django_assert_num_queries(3) as captured:  # the re-read, UPDATE, INSERT LogEntry
        copy.save()
    assert _reread_count(captured.captured_queries, "clients_department") == 1
    assert _last_update(dept).changes == {"name": ["招商一组", "手工组"], "kind": ["team", "bureau"]}


def test_saved_instance_saves_again_without_a_reread(dept, django_assert_num_queries):
    dept.name = "一改"
    dept.save()
    dept.name = "二改"
    with django_assert_num_queries(2):
        dept.save()
    assert _last_update(dept).changes == {"name": ["一改", "二改"]}


def test_encrypted_update_logs_masked_changed_fields_only(contact, django_assert_num_queries):
    contact = Contact.objects.select_related("subject_key").get(pk=contact.pk)
    contact.mobile = "13800001111"
    contact.position = "董事长"
    with django_assert_num_queries(2):  # UPDATE, INSERT LogEntry
        contact.save()
    changes = _last_update(contact).changes
    assert changes == {"mobile": [AUDIT_MASK, AUDIT_MASK], "position": ["", "董事长"]}
    assert "13800001111" not in str(changes) and "13912345678" not in str(changes)


def test_encrypted_value_assigned_unchanged_is_not_logged(contact):
    contact = Contact.objects.get(pk=contact.pk)
    contact.name = "张三丰"  # the same text, as a form would assign it (a plain str)
    contact.email = "new@example.cn"
    contact.save()
    assert set(_last_update(contact).changes) == {"email"}


def test_snapshot_holds_tokens_never_plaintext(contact):
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.name == "张三丰"  # decrypted on the instance
    contact.mobile = "13800002222"
    contact.save()
    values = snapshot_of(contact).values
    for value in values:
        assert not isinstance(value, PersonalStr)
        assert value not in ("张三丰", "13800002222", "z@example.cn", "13912345678")
    assert any(isinstance(v, Sealed) for v in values)
    assert b"13800002222" not in pickle.dumps(contact)
    assert "张三丰".encode() not in pickle.dumps(contact)


# --- update_fields, deferred fields, refresh ----------------------------------------------------------


def test_update_fields_log_only_those_and_keep_the_rest_for_later(dept):
    dept = Department.objects.get(pk=dept.pk)
    dept.name = "只改名称"
    dept.kind = "office"
    dept.save(update_fields=["name"])
    assert _last_update(dept).changes == {"name": ["招商一组", "只改名称"]}
    dept.save()  # kind was not saved above: the database still has "team"
    assert _last_update(dept).changes == {"kind": ["team", "office"]}


def test_deferred_fields_are_logged(dept, django_assert_num_queries):
    dept = Department.objects.only("name").get(pk=dept.pk)
    dept.name = "延迟加载"
    with django_assert_num_queries(2):
        dept.save()  # Django saves the loaded fields only
    assert _last_update(dept).changes == {"name": ["招商一组", "延迟加载"]}
    assert dept.kind == "team"  # loads the deferred field (refresh_from_db)
    dept.kind = "office"
    with django_assert_num_queries(2):
        dept.save()
    assert _last_update(dept).changes == {"kind": ["team", "office"]}


def test_refresh_from_db_renews_the_snapshot(dept):
    dept = Department.objects.get(pk=dept.pk)
    Department.objects.filter(pk=dept.pk).update(name="别处改过")
    dept.refresh_from_db()
    dept.name = "再改"
    dept.save()
    assert _last_update(dept).changes == {"name": ["别处改过", "再改"]}


def test_changed_pk_falls_back_to_the_reread(dept):
    other = Department.objects.create(name="另一组", code="snap-other", kind="team")
    dept = Department.objects.get(pk=dept.pk)
    dept.pk = other.pk
    dept.code = other.code
    dept.save()
    assert _last_update(other).changes == {"name": ["另一组", "招商一组"]}


def test_save_without_auditlog_still_renews_the_snapshot(dept):
    dept = Department.objects.get(pk=dept.pk)
    dept.name = "未记录"
    with disable_auditlog():
        dept.save()
    dept.name = "记录"
    dept.save()
    assert _last_update(dept).changes == {"name": ["未记录", "记录"]}


def test_json_changed_in_place_is_logged():
    run = PurgeRun.objects.create()
    run = PurgeRun.objects.get(pk=run.pk)
    run.counts["contacts"] = {"processed": 3}  # mutated in place, not reassigned
    run.save()
    assert set(_last_update(run).changes) == {"counts"}
    run.counts["contacts"]["processed"] = 4
    run.save()
    assert set(_last_update(run).changes) == {"counts"}


# --- deletes and many-to-many ---------------------------------------------------------------------


def test_delete_and_m2m_still_logged(dept, officer1):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="快照测试组")
    officer1 = type(officer1).objects.get(pk=officer1.pk)
    officer1.groups.add(group)
    m2m = LogEntry.objects.filter(object_pk=str(officer1.pk)).order_by("-id").first()
    assert m2m.changes["groups"]["operation"] == "add"
    pk = dept.pk
    Department.objects.get(pk=pk).delete()
    assert LogEntry.objects.filter(object_pk=str(pk), action=LogEntry.Action.DELETE).count() == 1
