from complaints.demo import seed_complaints
from complaints.models import Complaint, Status


def test_seed_demo_step_covers_every_state_and_is_idempotent(org):
    created = seed_complaints(password="x")
    assert created == 9
    assert set(Complaint.objects.values_list("status", flat=True)) == set(Status.values)
    assert Complaint.objects.overdue().exists()
    assert seed_complaints(password="x") == 0
