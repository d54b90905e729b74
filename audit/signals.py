"""The sign-in trail: successful and failed sign-ins, lock-outs and two-factor device changes.

Each is an AccessEvent written through `record_access` (action sign_in, sign_in_failed,
locked_out, two_factor). A failed attempt names the account only when the username exists: the
text typed into the username box is never stored (people type passwords there).
These receivers only record; they change no business state.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import record_access
from .models import AccessEvent

A = AccessEvent.Action
_DEVICE_MODELS = (TOTPDevice, StaticDevice)


def _known_user(username):
    if not username:
        return None
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def on_sign_in(sender, request, user, **kwargs):
    backend = getattr(user, "backend", "") or ""
    record_access(user, A.SIGN_IN, request=request, detail={"backend": backend.rsplit(".", 1)[-1]})


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    user = _known_user((credentials or {}).get("username"))
    record_access(user, A.SIGN_IN_FAILED, request=request, detail={"known_account": user is not None})


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    user = _known_user(username)
    record_access(user, A.LOCKED_OUT, request=request, detail={"known_account": user is not None})


def _device_kind(instance):
    return type(instance).__name__.removesuffix("Device").lower()


@receiver(pre_save, dispatch_uid="audit_device_pre_save")
def on_device_pre_save(sender, instance, update_fields=None, **kwargs):
    if sender not in _DEVICE_MODELS or instance.pk is None:
        return
    if update_fields is not None and "confirmed" not in update_fields:
        return
    instance._audit_was_confirmed = sender.objects.filter(pk=instance.pk).values_list("confirmed", flat=True).first()


@receiver(post_save, dispatch_uid="audit_device_saved")
def on_device_saved(sender, instance, created, **kwargs):
    if sender not in _DEVICE_MODELS:
        return
    if created:
        change = "added"
    else:
        before = getattr(instance, "_audit_was_confirmed", instance.confirmed)
        if before == instance.confirmed:
            return  # a token check updating counters, not a change of device
        change = "confirmed" if instance.confirmed else "unconfirmed"
    _record_device(instance, change)


@receiver(post_delete, dispatch_uid="audit_device_deleted")
def on_device_deleted(sender, instance, **kwargs):
    if sender in _DEVICE_MODELS:
        _record_device(instance, "removed")


def _record_device(instance, change):
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    record_access(user, A.TWO_FACTOR, detail={"device": _device_kind(instance), "change": change})
