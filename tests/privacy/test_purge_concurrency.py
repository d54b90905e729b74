"""Two purges at once on PostgreSQL (SKIP LOCKED): no row processed twice, none missed."""

import threading
import time

import pytest
from django.db import connection, connections

from . import retention_factories as f


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")
def test_two_concurrent_purges_process_every_expired_row_exactly_once(settings):
    settings.PURGE_BATCH_SIZE = 5
    f.only_rules("terminated-contacts")
    contacts = []
    for _ in range(6):
        _ent, batch = f.expired_contacts(10)
        contacts += batch
    recent = f.enterprise()
    f.project(recent, changed=f.RECENTLY)
    fresh = f.contact(recent)
    runs, failures = [], []
    start = threading.Barrier(2)

    def slow_batches(*, rule, batch, ids):
        time.sleep(0.02)  # hold the claimed rows a moment so that the two workers interleave

    def worker():
        try:
            start.wait()
            runs.append(f.run_purge(on_batch=slow_batches))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    processed = [r.counts["terminated-contacts"]["processed"] for r in runs]
    assert sum(processed) == 60
    assert all(n > 0 for n in processed), "both workers took a share"
    ids = f.purged_ids_from_audit("terminated-contacts")
    assert len(ids) == len(set(ids)) == 60
    assert set(ids) == {c.pk for c in contacts}
    from clients.models import Contact

    assert Contact.objects.get(pk=fresh.pk).name == fresh.name
