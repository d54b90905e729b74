"""Periodic job of policy and law review (also the management command ``send_review_reminders``)."""

from celery import shared_task


@shared_task(name="privacy.tasks.send_review_reminders", ignore_result=True)
def send_review_reminders():
    """Daily: reviews of the privacy policy and of the laws register falling due. Idempotent."""
    from .services import reviews_remind

    return reviews_remind()
