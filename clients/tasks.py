"""Periodic case jobs. Each is also a management command (release_idle_projects, notify_overdue_followups,
notify_pool_release_warnings, notify_team_overdue)."""

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


@shared_task(ignore_result=True)
def sweep_import_spool():
    """Delete import previews never confirmed within the hour (they may hold contacts' details).
    Periodic; also `manage.py sweep_import_spool`. Idempotent."""
    from .excel import spool_sweep

    return spool_sweep()


@shared_task(ignore_result=True)
def notify_pool_release_warnings():
    """Warn owners of projects about to be released into the 公海 pool (daily). Idempotent."""
    from .reminders import pool_notify_release_soon

    return pool_notify_release_soon()


@shared_task(ignore_result=True)
def notify_team_overdue():
    """Give each department head the count of their team's overdue follow-ups (daily). Idempotent."""
    from .reminders import team_notify_overdue

    return team_notify_overdue()
