"""Periodic job of incidents and training (also the management command send_incident_training_reminders)."""

from celery import shared_task


@shared_task(name="privacy.tasks.send_incident_training_reminders", ignore_result=True)
def send_incident_training_reminders():
    """Every half hour: regulator reports due, the yearly drill missing, training completions
    expiring. Idempotent (each reminder once per incident, week or expiry date)."""
    from privacy.training.services import training_remind

    from .services import incidents_remind

    return incidents_remind() + training_remind()


@shared_task(name="privacy.tasks.send_incident_messages", ignore_result=True)
def send_incident_messages(incident_id):
    """The SMS or e-mail of an incident notice to each person told on the self-service page."""
    from .models import Incident
    from .services import incident_messages_send

    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is not None:
        incident_messages_send(incident)
