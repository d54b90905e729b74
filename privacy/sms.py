"""SMS senders for self-service links: a pluggable interface chosen by settings.SMS_BACKEND.

A backend is a class with `send(number, text)` that returns True once the gateway accepted the
message and False when it did not. The zone plugs in its SMS gateway's class; a class with
``configured = False`` (the default outside DEBUG, `NullSmsBackend`) means "no provider": the
portal then says so and offers e-mail or the on-screen link instead of claiming it sent anything.
The defaults never log the number or the text (the text carries a self-service token).
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string


class BaseSmsBackend:
    configured = True  # a real provider (or a stand-in that delivers somewhere)

    def send(self, number, text):  # pragma: no cover - interface
        raise NotImplementedError


class NullSmsBackend(BaseSmsBackend):
    """Sends nothing (no gateway configured)."""

    configured = False
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


def sms_configured():
    """Whether SMS_BACKEND names a provider that can deliver (not `NullSmsBackend`)."""
    return bool(getattr(import_string(settings.SMS_BACKEND), "configured", True))
