"""Periodic case jobs. Each is also a management command (release_idle_projects, notify_overdue_followups)."""

from celery import shared_task


@shared_task(ignore_result=True)
def release_idle_projects():
    """Return idle projects to the 公海 pool and notify former owners and heads. Idempotent."""
    from .services import release_idle_projects as release

    return release()


@shared_task(ignore_result=True)
def run_import(batch_id):
    """Run a confirmed Excel import (ImportBatch id) in one transaction, reporting progress. Idempotent."""
    from .excel import import_execute

    import_execute(batch_id=batch_id)


@shared_task(ignore_result=True)
def notify_overdue_followups():
    """Tell owners their planned next contact has passed (daily; also a management command). Idempotent."""
    from .reminders import followups_notify_overdue

    return followups_notify_overdue()
