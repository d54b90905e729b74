"""Periodic jobs of partner sharing. Each is also a management command (send_sharing_reminders)."""

from celery import shared_task


@shared_task(name="privacy.tasks.send_sharing_reminders", ignore_result=True)
def send_sharing_reminders():
    """Daily: agreements expiring in 30/7 days, return-or-deletion confirmations outstanding,
    partner evaluations, assessment reviews and mitigations due; recipient files not downloaded
    within a week are deleted. Idempotent (each reminder once per due date)."""
    from privacy.assessments.services import assessments_remind

    from .reminders import sharing_remind
    from .services import shares_expire_files

    shares_expire_files()
    return sharing_remind() + assessments_remind()
