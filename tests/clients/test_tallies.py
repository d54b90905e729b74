"""The cockpit tally (clients/tallies.py): PostgreSQL's triggers keep it equal to a fresh count through
every way projects, tranches and stage changes are written, and the leadership cockpit reads it."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clients import services, tallies
from clients.models import CockpitTally, Department, FundTranche, Project, Stage, StageChange
from clients.stages import project_change_stage
from clients.targets import funds_facts, landed_facts, stage_facts
from zhaoshang.core import tallies as core_tallies

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="tallies are kept by PostgreSQL")

TODAY = timezone.localdate()


def agrees():
    """The tally equals a fresh count of the tables (no differing row)."""
    return core_tallies.check_all() == {}


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def landing(project, day, hour=10):
    return StageChange(project=project, from_stage=Stage.SIGNED, to_stage=Stage.LANDED, at=at(day, hour))


def tranche(project, day, amount):
    return FundTranche(project=project, date=day, amount=Decimal(amount), evidence_note="回单")


def test_the_tally_follows_every_way_projects_are_written(officer1, officer2, officer3, head1, make_project):
    assert agrees()
    a = make_project(officer1, planned_investment=Decimal("1200"))
    b = make_project(officer3)
    assert agrees()
    # save() of a model instance, QuerySet.update() over several rows, bulk_create.
    a.stage, a.signed_at = Stage.SIGNED, TODAY
    a.save()
    assert agrees()
    Project.objects.filter(pk__in=[a.pk, b.pk]).update(planned_investment=Decimal("80.5"))
    assert agrees()
    Project.objects.bulk_create(
        [
            Project(enterprise=a.enterprise, title=f"批量{i}", owner=officer1, stage=Stage.SIGNED, signed_at=TODAY)
            for i in range(3)
        ]
    )
    assert agrees()
    # Through the services: a stage change, a release to the pool, an assignment.
    project_change_stage(user=officer3, project=b, to_stage=Stage.CONTACTED)
    services.project_release(user=officer3, project=b)
    services.project_assign(by=head1, project=Project.objects.get(pk=b.pk), to_user=officer1)
    assert agrees()
    Project.objects.filter(pk=a.pk).delete()
    assert agrees()


def test_tranches_and_landings_move_with_their_project(officer1, officer2, make_project):
    project = make_project(officer1, planned_investment=Decimal("500"))
    Project.objects.filter(pk=project.pk).update(stage=Stage.LANDED, signed_at=TODAY)
    FundTranche.objects.bulk_create([tranche(project, TODAY, "100"), tranche(project, TODAY.replace(day=1), "20")])
    StageChange.objects.bulk_create([landing(project, TODAY)])
    assert agrees()
    # Reassigned and moved to another department: its 到资 and its landing follow it.
    Project.objects.filter(pk=project.pk).update(owner=officer2, department=Department.objects.get(code="zs2"))
    assert agrees()
    row = CockpitTally.objects.get(kind=CockpitTally.Kind.FUNDS, owner=officer2)
    assert (row.n, row.total) == (2, Decimal("120.00"))
    assert not CockpitTally.objects.filter(kind=CockpitTally.Kind.FUNDS, owner=officer1).exclude(n=0).exists()
    # A tranche corrected, then removed.
    first = FundTranche.objects.filter(project=project).first()
    first.amount = Decimal("300")
    first.save()
    assert agrees()
    first.delete()
    assert agrees()
    # The project deleted with what hangs off it (Django deletes the tranches and changes first).
    Project.objects.filter(pk=project.pk).delete()
    assert agrees()
    assert not CockpitTally.objects.exclude(n=0, total=0).filter(kind=CockpitTally.Kind.LANDED).exists()


def test_a_project_counts_as_landed_once_in_the_month_it_first_landed(leader, officer1, make_project):
    project = make_project(officer1)
    january, march = datetime.date(TODAY.year - 1, 1, 15), datetime.date(TODAY.year - 1, 3, 15)
    # Landed in March, moved back, landed again later; then its January landing recorded late.
    StageChange.objects.create(project=project, from_stage=Stage.SIGNED, to_stage=Stage.LANDED, at=at(march))
    StageChange.objects.create(project=project, from_stage=Stage.LANDED, to_stage=Stage.SIGNED, at=at(march, 11))
    StageChange.objects.create(project=project, from_stage=Stage.SIGNED, to_stage=Stage.LANDED, at=at(march, 12))
    assert agrees()
    StageChange.objects.bulk_create([landing(project, january), landing(project, january, 9)])
    assert agrees()
    rows = CockpitTally.objects.filter(kind=CockpitTally.Kind.LANDED).exclude(n=0)
    assert [(r.month, r.n) for r in rows] == [(january.replace(day=1), 1)]
    # The live count agrees: landed in the first quarter, not again in the second.
    projects = Project.objects.all()
    assert landed_facts(projects, datetime.date(TODAY.year - 1, 1, 1), datetime.date(TODAY.year - 1, 3, 31)) == [
        (officer1.pk, project.department_id, 1)
    ]
    assert landed_facts(projects, datetime.date(TODAY.year - 1, 3, 1), datetime.date(TODAY.year - 1, 6, 30)) == []
    # Removing the January landings gives March back; changing a row's time moves it.
    StageChange.objects.filter(project=project, at__lt=at(march)).delete()
    assert agrees()
    StageChange.objects.filter(project=project, to_stage=Stage.LANDED).update(at=at(january))
    assert agrees()


def test_a_rolled_back_write_leaves_the_tally_as_it_was(officer1, make_project):
    project = make_project(officer1, planned_investment=Decimal("10"))
    before = list(CockpitTally.objects.order_by("pk").values_list("kind", "stage", "n", "total"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(stage=Stage.SIGNED, signed_at=TODAY)
        FundTranche.objects.create(project=project, date=TODAY, amount=Decimal("-1"), evidence_note="x")
    assert list(CockpitTally.objects.order_by("pk").values_list("kind", "stage", "n", "total")) == before
    assert agrees()


def test_the_check_command_finds_drift_and_rebuild_repairs_it(officer1, make_project):
    make_project(officer1)
    call_command("tallies")
    CockpitTally.objects.filter(kind=CockpitTally.Kind.PROJECTS).update(n=99)
    with pytest.raises(CommandError):
        call_command("tallies")
    call_command("tallies", "--rebuild")
    call_command("tallies")
    assert agrees()


def _live(projects, start, end):
    counts, signed = stage_facts(projects)
    return counts, signed, funds_facts(projects, start, end), landed_facts(projects, start, end)


def _normalised(facts):
    counts, signed, funds, landed = facts
    merged = {}
    for owner, last, first, username, department, month, n, total in signed:
        key = (owner, last, first, username, department, month)
        m = merged.setdefault(key, [0, Decimal(0)])
        m[0] += n
        m[1] += total or 0
    funds_by = {}
    for owner, department, month, total in funds:
        funds_by[(owner, department, month)] = funds_by.get((owner, department, month), 0) + total
    return (
        {k: v for k, v in counts.items() if v},
        {k: tuple(v) for k, v in merged.items() if v[0]},
        {k: v for k, v in funds_by.items() if v},
        sorted(landed or []),
    )


def test_the_tally_gives_the_same_facts_as_counting_live(leader, officer1, officer2, make_project):
    year_start, year_end = datetime.date(TODAY.year, 1, 1), datetime.date(TODAY.year, 12, 31)
    for i, owner in enumerate([officer1, officer2, officer1]):
        p = make_project(owner, planned_investment=Decimal(100 * (i + 1)))
        Project.objects.filter(pk=p.pk).update(stage=Stage.LANDED, signed_at=TODAY.replace(day=1))
        FundTranche.objects.create(project=p, date=TODAY, amount=Decimal("7.5"), evidence_note="回单")
        StageChange.objects.create(project=p, from_stage=Stage.SIGNED, to_stage=Stage.LANDED, at=at(TODAY))
    make_project(officer2)
    assert tallies.covers(leader)
    from_tally = tallies.facts(funds=(year_start, year_end), landed=(year_start, year_end))
    assert _normalised(from_tally) == _normalised(_live(Project.objects.all(), year_start, year_end))
    zs1 = {Department.objects.get(code="zs1").pk}
    narrowed = tallies.facts(departments=zs1, funds=(year_start, year_end), landed=(year_start, year_end))
    live = _live(Project.objects.filter(department_id__in=zs1), year_start, year_end)
    assert _normalised(narrowed) == _normalised(live)


def test_leadership_reads_the_tally_and_a_narrower_scope_counts_live(leader, head1, officer1, make_project, client_for):
    project = make_project(officer1)
    assert tallies.covers(leader) and not tallies.covers(head1)
    # Make the tally say something the tables do not: only a reader of the tally shows it.
    CockpitTally.objects.filter(kind=CockpitTally.Kind.PROJECTS, stage=project.stage).update(n=4321)
    assert "4321" in client_for(leader).get(reverse("clients:cockpit")).content.decode()
    assert "4321" not in client_for(head1).get(reverse("clients:cockpit")).content.decode()
