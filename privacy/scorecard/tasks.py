"""Periodic job of the scorecard (also the management command ``take_scorecard_snapshot``)."""

from celery import shared_task


@shared_task(name="privacy.tasks.take_scorecard_snapshot", ignore_result=True)
def take_scorecard_snapshot():
    """Monthly: store the card's levels and figures for the trend. Idempotent within a month."""
    from .services import scorecard_snapshot_take

    scorecard_snapshot_take()
