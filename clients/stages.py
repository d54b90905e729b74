"""The stage rules of a project, as one table, and the one service that moves a project through it.

`TRANSITIONS[from][to]` names the kind of every allowed move; a move absent from the table is
refused. Forward (one or more steps down the pipeline) needs nothing; back needs a reason; 终止
needs a reason code from the configurable list (`LossReason`, edited in the admin) and a text;
reopening a terminated project needs a reason. The portal's stage form and the API's stage
endpoint both call `project_change_stage`.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import LossReason, Project, Stage, StageChange
from .scopes import can_write

FORWARD, BACK, TERMINATE, REOPEN = "forward", "back", "terminate", "reopen"

L, C, V, N, S, D, T = (
    Stage.LEAD,
    Stage.CONTACTED,
    Stage.VISIT,
    Stage.NEGOTIATION,
    Stage.SIGNED,
    Stage.LANDED,
    Stage.TERMINATED,
)

# fmt: off
TRANSITIONS = {
    #      线索      接洽      考察      洽谈      签约      落地      终止
    L: {           C: FORWARD, V: FORWARD, N: FORWARD, S: FORWARD, D: FORWARD, T: TERMINATE},
    C: {L: BACK,               V: FORWARD, N: FORWARD, S: FORWARD, D: FORWARD, T: TERMINATE},
    V: {L: BACK, C: BACK,                  N: FORWARD, S: FORWARD, D: FORWARD, T: TERMINATE},
    N: {L: BACK, C: BACK,    V: BACK,                  S: FORWARD, D: FORWARD, T: TERMINATE},
    S: {L: BACK, C: BACK,    V: BACK,    N: BACK,                  D: FORWARD, T: TERMINATE},
    D: {L: BACK, C: BACK,    V: BACK,    N: BACK,    S: BACK},                 # 落地: won, not lost
    T: {L: REOPEN, C: REOPEN, V: REOPEN, N: REOPEN, S: REOPEN},                # reopened, with a reason
}
# fmt: on

KIND_LABELS = {
    FORWARD: gettext_lazy("推进"),
    BACK: gettext_lazy("退回（须说明原因）"),
    TERMINATE: gettext_lazy("终止（须选择原因分类并说明）"),
    REOPEN: gettext_lazy("重新启动（须说明原因）"),
}


class StageRefused(Exception):
    pass


def transition_kind(from_stage, to_stage):
    """The kind of the move, or None when the table does not allow it."""
    return TRANSITIONS.get(from_stage, {}).get(to_stage)


def allowed_targets(from_stage):
    """[(stage, kind)] a project in `from_stage` may move to, in pipeline order."""
    row = TRANSITIONS.get(from_stage, {})
    return [(stage, row[stage]) for stage in Stage if stage in row]


def check_transition(from_stage, to_stage, *, reason="", loss_reason=None):
    """The refusal (a Chinese sentence) for this move, or "" when the table allows it as given."""
    if to_stage not in Stage.values:
        return _("未知的项目阶段。")
    if from_stage == to_stage:
        return _("项目已处于该阶段。")
    kind = transition_kind(from_stage, to_stage)
    if kind is None:
        return _("不能从「%(from)s」直接变更为「%(to)s」。") % {
            "from": Stage(from_stage).label,
            "to": Stage(to_stage).label,
        }
    reason = (reason or "").strip()
    if kind == BACK and not reason:
        return _("退回到之前的阶段须说明原因。")
    if kind == TERMINATE:
        if loss_reason is None:
            return _("终止项目须选择终止原因分类。")
        if not reason:
            return _("终止项目须填写终止原因。")
    if kind == REOPEN and not reason:
        return _("重新启动已终止的项目须说明原因。")
    return ""


def _loss_reason(value):
    if value is None or value == "" or isinstance(value, LossReason):
        return value or None
    return LossReason.objects.filter(code=value, active=True).first() or False


@transaction.atomic
def project_change_stage(*, user, project, to_stage, reason="", loss_reason=None):
    """Move `project` to `to_stage` if the table allows it; `loss_reason` (a LossReason or its
    code) is required for 终止. Writes the stage history; a reopening clears the loss fields."""
    from .services import ServiceError

    if not can_write(user, project):
        raise PermissionDenied(_("您没有修改该项目的权限。"))
    loss = _loss_reason(loss_reason)
    if loss is False:
        raise ServiceError(_("未知或已停用的终止原因分类。"))
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if refusal := check_transition(project.stage, to_stage, reason=reason, loss_reason=loss):
        raise ServiceError(refusal)
    kind = transition_kind(project.stage, to_stage)
    reason = (reason or "").strip()[:300]
    now = timezone.now()
    StageChange.objects.create(
        project=project,
        from_stage=project.stage,
        to_stage=to_stage,
        at=now,
        by=user,
        note=reason,
        loss_reason=loss if kind == TERMINATE else None,
    )
    update = ["stage", "stage_changed_at", "last_activity_at", "updated_at"]
    if kind == TERMINATE:
        project.termination_reason, project.loss_reason, project.lost_at_stage = reason, loss, project.stage
        update += ["termination_reason", "loss_reason", "lost_at_stage"]
    elif kind == REOPEN:
        project.termination_reason, project.loss_reason, project.lost_at_stage = "", None, ""
        update += ["termination_reason", "loss_reason", "lost_at_stage"]
    project.stage = to_stage
    project.stage_changed_at = now
    project.last_activity_at = now
    if to_stage == Stage.SIGNED and project.signed_at is None:
        project.signed_at = timezone.localdate(now)
        update.append("signed_at")
    project.save(update_fields=update)
    return project
