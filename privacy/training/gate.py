"""The one training check: revealing, exporting clear values and sharing need a current completion.

`training_gate(user, action, detail)` is called from ONE place, `audit.access._build_event`, which
every reveal (contacts, complainants), every export and every share passes through before any
personal data leaves: the event it is about to write says what the act is. With
settings.REVEAL_REQUIRES_TRAINING off (DEBUG, the test settings) it does nothing.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GATED_ACTIONS = ("reveal", "share")
MESSAGE = _(
    "查看明文、导出明文和向第三方提供个人信息前，须完成个人信息保护培训并在有效期内。"
    "您没有有效的培训记录，请联系个人信息保护负责人安排培训。"
)


class TrainingRequired(PermissionDenied):
    """Refused for want of a current training; `message` is shown to the user as is."""

    def __init__(self, message=MESSAGE):
        super().__init__(str(message))
        self.message = str(message)
        self.messages = [self.message]


def is_gated(action, detail):
    detail = detail or {}
    return action in GATED_ACTIONS or (action == "export" and bool(detail.get("clear_values") or detail.get("clear")))


def training_current(user, today=None):
    """Whether `user` holds a current, passed completion of an active course meant for one of their
    roles (a course with no audience is meant for everyone)."""
    from clients.roles import user_role_codes

    from .models import Completion

    today = today or timezone.localdate()
    roles = user_role_codes(user)
    audiences = Completion.objects.current(today).filter(user=user).values_list("course__audience_roles", flat=True)
    return any(not audience or roles & set(audience) for audience in audiences)


def training_require(user):
    """Raise `TrainingRequired` unless the setting is off or `user` has a current training."""
    if not settings.REVEAL_REQUIRES_TRAINING or not getattr(user, "is_authenticated", False):
        return
    if not training_current(user):
        raise TrainingRequired()


def training_gate(user, action, detail=None):
    """The check `audit.access` runs before recording a reveal, a share or a clear export."""
    if is_gated(action, detail):
        training_require(user)
