"""Periodic job: 催办 and 督办 notices for complaint deadlines (also `manage.py check_deadlines`)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def check_deadlines():
    return services.check_deadlines()
