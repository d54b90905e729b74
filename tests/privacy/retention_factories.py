"""Small builders for the retention tests: enterprises with terminated projects and their contacts.

Rows are written through the ORM (not the case services), so that clocks can be set in the past.
"""

import datetime
import itertools

from django.utils import timezone

_seq = itertools.count(1)

LONG_AGO = timezone.now() - datetime.timedelta(days=5 * 365)
RECENTLY = timezone.now() - datetime.timedelta(days=10)


def enterprise(**fields):
    from clients.models import Enterprise

    fields.setdefault("name", f"保存期限测试企业{next(_seq)}有限公司")
    return Enterprise.objects.create(**fields)


def project(ent, *, stage="terminated", changed=LONG_AGO, **fields):
    from clients.models import Project

    fields.setdefault("title", f"测试项目{next(_seq)}")
    fields.setdefault("planned_investment", 1000)
    return Project.objects.create(enterprise=ent, stage=stage, stage_changed_at=changed, **fields)


def contact(ent, **fields):
    from clients.models import Contact

    n = next(_seq)
    fields.setdefault("name", f"张{n}")
    fields.setdefault("mobile", f"139{n:08d}")
    fields.setdefault("email", f"c{n}@example.cn")
    fields.setdefault("position", "总经理")
    return Contact.objects.create(enterprise=ent, **fields)


def expired_contacts(n, **fields):
    """`n` contacts of one enterprise whose only project was terminated three years ago."""
    ent = enterprise()
    project(ent)
    return ent, [contact(ent, **fields) for _ in range(n)]


def followup(proj, *, date=None, summary="与客户讨论了用地需求和税收政策。"):
    from clients.models import FollowUp

    return FollowUp.objects.create(
        project=proj, date=date or LONG_AGO.date(), method="phone", summary=summary, participants="张总、李经理"
    )


def rule(code, **fields):
    from privacy.models import RetentionRule

    return RetentionRule.objects.get(code=code) if not fields else _update(code, fields)


def _update(code, fields):
    from privacy.models import RetentionRule

    RetentionRule.objects.filter(code=code).update(**fields)
    return RetentionRule.objects.get(code=code)


def seed_rules():
    """The default rules (a transactional test's flush removes what the data migration wrote)."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("privacy.migrations.0004_seed_retention_rules").seed
    seed(apps, None)
    importlib.import_module("privacy.migrations.0010_seed_recipient_purposes_assessment_rule").forward(apps, None)


def only_rules(*codes):
    """Deactivate every seeded rule but `codes`."""
    from privacy.models import RetentionRule

    seed_rules()
    RetentionRule.objects.exclude(code__in=codes).update(active=False)
    RetentionRule.objects.filter(code__in=codes).update(active=True)


def run_purge(*, dry_run=False, rule_code="", on_batch=None, now=None):
    from privacy.models import PurgeRun
    from privacy.retention.services import purge_run_create, purge_run_execute

    run = purge_run_create(dry_run=dry_run, trigger=PurgeRun.Trigger.COMMAND, rule_code=rule_code)
    return purge_run_execute(run_id=run.pk, on_batch=on_batch, now=now)


def purged_ids_from_audit(rule_code):
    """Ids the batch summary access events name for `rule_code` (the record of what was processed)."""
    from audit.models import AccessEvent

    ids = []
    for detail in AccessEvent.objects.filter(action="bulk", detail__rule=rule_code).values_list("detail", flat=True):
        ids.extend(detail["ids"])
    return ids
