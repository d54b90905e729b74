"""The Celery application. The beat schedule lives in settings (CELERY_BEAT_SCHEDULE).

Without REDIS_URL, settings make every task run inline (CELERY_TASK_ALWAYS_EAGER), so a first look
needs no broker. Tasks take ids, never objects or personal values, and are enqueued on commit
(`zhaoshang.core.tasks.enqueue`).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")

app = Celery("zhaoshang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
