"""Retention rules: floors no path can go below, allowed clocks and actions, seeded defaults, public list."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from privacy.models import RetentionCategory, RetentionRule

from . import retention_factories as f

pytestmark = pytest.mark.django_db


def test_every_category_of_the_issue_has_a_seeded_rule_with_a_chinese_legal_basis():
    f.seed_rules()
    seeded = set(RetentionRule.objects.values_list("category", flat=True))
    assert seeded == set(RetentionCategory.values)  # impact_assessments since [I]
    assert all(
        "《" in basis or "原则" in basis for basis in RetentionRule.objects.values_list("legal_basis", flat=True)
    )


def test_clean_refuses_an_audit_log_rule_below_180_days():
    rule = RetentionRule(
        code="x",
        name="x",
        category="audit_log",
        clock_event="created",
        period_days=179,
        action="delete",
        legal_basis="x",
    )
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "period_days" in exc.value.message_dict


def test_clean_refuses_an_impact_assessment_rule_below_three_years():
    rule = RetentionRule(
        code="y",
        name="y",
        category="impact_assessments",
        clock_event="created",
        period_days=364,
        action="delete",
        legal_basis="y",
    )
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_the_database_refuses_a_floor_breach_that_bypasses_clean():
    f.seed_rules()
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionRule.objects.filter(code="audit-log").update(period_days=30)


def test_the_engine_applies_the_floor_to_any_rule_object(monkeypatch):
    from audit import services

    seen = {}

    def fake_purge(*, older_than_days, dry_run, now):
        seen["days"] = older_than_days
        return {"log": 0, "access": 0}

    monkeypatch.setattr(services, "audit_entries_purge", fake_purge)
    from privacy.models import PurgeRun
    from privacy.retention.engine import purge_rule

    rule = RetentionRule(code="a", category="audit_log", clock_event="created", period_days=10, action="delete")
    run = PurgeRun.objects.create(dry_run=True)
    purge_rule(run, rule, now=None)
    assert seen["days"] == 180 and rule.effective_days == 180


def test_clean_refuses_a_clock_that_does_not_fit_the_category_and_anonymising_tokens():
    rule = RetentionRule(
        code="z",
        name="z",
        category="selfservice_tokens",
        clock_event="complaint_closed",
        period_days=90,
        action="anonymise",
        legal_basis="z",
    )
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert {"clock_event", "action"} <= set(exc.value.message_dict)


def test_a_rule_saved_around_clean_is_skipped_and_recorded():
    f.only_rules("selfservice-links")
    RetentionRule.objects.filter(code="selfservice-links").update(clock_event="complaint_closed")
    run = f.run_purge()
    assert run.counts["selfservice-links"]["skipped"] == "clock_not_allowed"
    assert run.status == "partial"


def test_public_partial_lists_active_rules_in_chinese():
    from django.template.loader import render_to_string

    f.seed_rules()
    RetentionRule.objects.filter(code="import-files").update(active=False)
    html = render_to_string("privacy/_retention_rules_public.html", {"rules": RetentionRule.objects.active()})
    assert "审计日志" in html and "1095" in html
    assert "导入文件记录" not in html
    from privacy.templatetags.retention import retention_rules_public

    assert len(retention_rules_public()["rules"]) == RetentionRule.objects.active().count()
