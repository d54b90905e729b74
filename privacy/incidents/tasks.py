"""Periodic job of incidents and training (also the management command send_incident_training_reminders)."""

from celery import shared_task


@shared_task(name="privacy.tasks.send_incident_training_reminders", ignore_result=True)
def send_incident_training_reminders():
    """Every half hour: regulator reports due, the yearly drill missing, training completions
    expiring. Idempotent (each reminder once per incident, week or expiry date)."""
    from privacy.training.services import training_remind

    from .services import incidents_remind

    return incidents_remind() + training_remind()
