from clients.demo import seed_cases
from clients.models import Contact, Enterprise, FollowUp, Project, Stage


def test_seed_cases_is_idempotent_and_covers_every_stage(org):
    created = seed_cases(password="unused-here")
    assert created > 100
    assert Enterprise.objects.count() == 50
    assert Contact.objects.count() >= 50 and FollowUp.objects.count() >= 50
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Project.objects.filter(owner__isnull=True).exists()  # some projects wait in the 公海 pool
    assert set(Project.objects.exclude(owner=None).values_list("owner__username", flat=True)) == {
        "officer1",
        "officer2",
        "officer3",
    }
    names = sorted(Enterprise.objects.values_list("name", flat=True))
    assert seed_cases(password="unused-here") == 0
    assert sorted(Enterprise.objects.values_list("name", flat=True)) == names
