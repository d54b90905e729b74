"""SMS senders for self-service links: a pluggable interface chosen by settings.SMS_BACKEND.

A backend is a class with `send(number, text)`. The zone plugs in its SMS gateway's class;
the defaults never log the number or the text (the text carries a self-service token).
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string


class BaseSmsBackend:
    def send(self, number, text):  # pragma: no cover - interface
        raise NotImplementedError


class NullSmsBackend(BaseSmsBackend):
    """Sends nothing (no gateway configured)."""

    sent = 0

    def send(self, number, text):
        type(self).sent += 1
        return False


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: writes the message to stdout (not to the logs), like Django's console e-mail."""

    def send(self, number, text):
        sys.stdout.write(f"[SMS to ***{str(number)[-4:]}] {text}\n")
        return True


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: keeps messages in `outbox`."""

    outbox = []

    def send(self, number, text):
        type(self).outbox.append((number, text))
        return True


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
