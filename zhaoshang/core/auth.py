"""Sign-in helpers shared by django-axes and the login wizard: the username of an attempt, and
the lock-out handler (imported by axes once the apps are ready)."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.utils import timezone


def axes_username(request, credentials=None):
    """The username of a sign-in attempt, for django-axes.

    `authenticate()` passes credentials as {"username": ...}, while the two-factor login wizard
    posts the field as "auth-username"; axes' single AXES_USERNAME_FORM_FIELD can't cover both.
    """
    if credentials and credentials.get("username"):
        return credentials["username"]
    data = getattr(request, "POST", {}) or {}
    return data.get("auth-username") or data.get("username")


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler plus a lock per username across addresses.

    Per username and address (axes itself): AXES_FAILURE_LIMIT failures lock for AXES_COOLOFF_TIME
    counted from the lock-out -- attempts while locked are not recorded
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so nobody can keep an account locked
    by knocking, not even with the right password. Per username from any address:
    AXES_USERNAME_FAILURE_LIMIT failures recorded within AXES_USERNAME_WINDOW lock the username
    everywhere, so guessing cannot be spread across addresses; attempts while locked are not
    recorded either, so that lock too ends at most one window after it began.
    """

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.username_locked(request, credentials)

    def username_locked(self, request, credentials=None):
        username = get_client_username(request, credentials)
        if not username:
            return False
        at = getattr(request, "axes_attempt_time", None) or timezone.now()
        recent = AccessFailureLog.objects.filter(username=username, attempt_time__gt=at - settings.AXES_USERNAME_WINDOW)
        return recent.count() >= settings.AXES_USERNAME_FAILURE_LIMIT

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.username_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
