"""The kinds of notification: one registry, each kind with its label, default channel and rules.

A kind's text is a format string of reference numbers, statuses, dates and counts only. `params`
names its placeholders; `notify()` keeps nothing else from the caller's context and refuses values
that are not short plain scalars, so a contact's name, a mobile or a complaint's text has no way
into a notification or its e-mail. The text is rendered when shown, in the reader's language.

Later concerns add their kinds here with `register_kind(...)`, next to the ones of today.
"""

from contextlib import suppress
from dataclasses import dataclass

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    OFF = "off", _("不接收")
    IN_APP = "in_app", _("仅站内通知")
    EMAIL = "email", _("站内通知，并立即发送邮件")
    DIGEST = "digest", _("站内通知，并汇入每日邮件摘要")


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    text: str
    params: tuple
    url_name: str
    default: str = Channel.IN_APP
    digestable: bool = True  # may be collected into the daily digest
    optional: bool = True  # may the user turn it off altogether
    by_object: bool = True  # url_name takes the object's id
    # (param, dotted path of a TextChoices): the param holds a code, shown as its label in the
    # reader's language (a status stored as "in_progress" reads 办理中 or "In progress").
    labels: tuple = ()

    def channels(self):
        """The channels a user may choose for this kind, in display order."""
        allowed = [Channel.OFF] if self.optional else []
        allowed += [Channel.IN_APP, Channel.EMAIL]
        if self.digestable:
            allowed.append(Channel.DIGEST)
        return allowed

    def render(self, params):
        values = {name: (params or {}).get(name, "") for name in self.params}
        for name, choices in self.labels:
            with suppress(ImportError):
                values[name] = _choice_label(import_string(choices), values[name])
        return str(self.text) % values

    def url(self, object_id):
        """The path of the object the notification is about (ids only: never a token)."""
        try:
            if self.by_object:
                return reverse(self.url_name, args=[object_id]) if object_id else ""
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


def _choice_label(choices, value):
    """The label of `value` in the reader's language.

    `value` is a choice's code ("in_progress"). Notifications written before their kind stored codes
    hold the label as it was rendered then, in Chinese (办理中): matched against each choice's source
    label, it reads "In progress" in English too. Anything else is shown as it is.
    """
    try:
        return choices(value).label
    except ValueError:
        pass
    with translation.override(None):  # the source (Chinese) labels, untranslated
        source = {str(choice.label): choice for choice in choices}
    choice = source.get(str(value))
    return value if choice is None else choice.label


KINDS = {}


def register_kind(code, **options):
    if code in KINDS:
        raise ValueError(f"notification kind {code!r} registered twice")
    kind = Kind(code=code, **options)
    if kind.default not in kind.channels():
        raise ValueError(f"notification kind {code!r}: default channel {kind.default!r} not allowed")
    KINDS[code] = kind
    return kind


def get_kind(code):
    """The registered kind `code`; KeyError for an unknown one (a programming error)."""
    return KINDS[code]


# --- Case management (clients) ----------------------------------------------------------------

COLLABORATION_REQUEST = register_kind(
    "collaboration_request",
    label=_("协办申请"),
    text=_("账号 %(requester)s 申请作为企业 #%(enterprise)s 的协办人"),
    params=("requester", "enterprise"),
    url_name="clients:enterprise_detail",
    default=Channel.EMAIL,
)
ENTERPRISE_ASSIGNED = register_kind(
    "enterprise_assigned",
    label=_("企业分派"),
    text=_("企业 #%(enterprise)s 已分派给您负责"),
    params=("enterprise",),
    url_name="clients:enterprise_detail",
)
PROJECT_ASSIGNED = register_kind(
    "project_assigned",
    label=_("项目分派"),
    text=_("项目 #%(project)s 已分派给您负责"),
    params=("project",),
    url_name="clients:project_detail",
)
PROJECT_RELEASED = register_kind(
    "project_released",
    label=_("项目释放到公海"),
    text=_("项目 #%(project)s 已连续 %(days)s 天无跟进，已释放到公海"),
    params=("project", "days"),
    url_name="clients:project_detail",
    default=Channel.EMAIL,
)
FOLLOWUP_OVERDUE = register_kind(
    "followup_overdue",
    label=_("跟进逾期"),
    text=_("项目 #%(project)s 计划于 %(date)s 再次联系，已逾期"),
    params=("project", "date"),
    url_name="clients:project_detail",
)

# --- Complaints -------------------------------------------------------------------------------

COMPLAINT_ASSIGNED = register_kind(
    "complaint_assigned",
    label=_("投诉分派"),
    text=_("投诉 %(reference)s 已分派给您承办，办理期限 %(deadline)s"),
    params=("reference", "deadline"),
    url_name="complaints:detail",
)
COMPLAINT_ACK_REMIND = register_kind(
    "complaint_ack_remind",
    label=_("受理确认催办"),
    text=_("【受理确认催办】投诉 %(reference)s 期限 %(deadline)s，当前状态：%(status)s"),
    params=("reference", "deadline", "status"),
    url_name="complaints:detail",
    default=Channel.EMAIL,
    labels=(("status", "complaints.models.Status"),),
)
COMPLAINT_REMIND = register_kind(
    "complaint_remind",
    label=_("到期催办"),
    text=_("【到期催办】投诉 %(reference)s 期限 %(deadline)s，当前状态：%(status)s"),
    params=("reference", "deadline", "status"),
    url_name="complaints:detail",
    default=Channel.EMAIL,
    labels=(("status", "complaints.models.Status"),),
)
COMPLAINT_ESCALATE = register_kind(
    "complaint_escalate",
    label=_("超期督办"),
    text=_("【超期督办】投诉 %(reference)s 期限 %(deadline)s，已超期 %(overdue_days)s 个工作日，当前状态：%(status)s"),
    params=("reference", "deadline", "overdue_days", "status"),
    url_name="complaints:detail",
    default=Channel.EMAIL,
    digestable=False,
    optional=False,
    labels=(("status", "complaints.models.Status"),),
)
EXTENSION_REQUESTED = register_kind(
    "extension_requested",
    label=_("延期申请待审批"),
    text=_("投诉 %(reference)s 的承办人申请延期 %(days)s 个工作日，等待审批"),
    params=("reference", "days"),
    url_name="complaints:detail",
)

# --- Internal audit ---------------------------------------------------------------------------

RECTIFICATION_OVERDUE = register_kind(
    "rectification_overdue",
    label=_("整改催办"),
    text=_("【整改催办】整改措施 #%(rectification)s 已于 %(due)s 到期，逾期 %(days)s 天"),
    params=("rectification", "due", "days"),
    url_name="audit:rectification_detail",
    default=Channel.EMAIL,
)

# --- Privacy ----------------------------------------------------------------------------------

CONSENT_RENEWAL = register_kind(
    "consent_renewal",
    label=_("重新取得同意"),
    text=_("隐私政策 %(version)s 有重大变更：您负责的 %(count)s 项同意需在 %(due)s 前重新取得"),
    params=("version", "count", "due"),
    url_name="privacy:renewals",
    by_object=False,
)

# --- Integrations (REST API) ------------------------------------------------------------------

WEBHOOK_FAILED = register_kind(
    "webhook_failed",
    label=_("回调推送失败"),
    text=_("回调推送 #%(delivery)s（%(event)s）向接入系统 %(integration)s 尝试 %(attempts)s 次均失败，已停止重试"),
    params=("delivery", "event", "integration", "attempts"),
    url_name="admin:integrations_webhookdelivery_change",
    default=Channel.EMAIL,
)
