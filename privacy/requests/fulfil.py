"""Carrying out a request, each kind through the existing service of its concern, so scopes,
audit and consent stay enforced:

- access / portability: the package (`privacy.requests.package.package_build`) built by a task
  enqueued when the request is completed;
- correction: the reviewed value applied with `clients.services.contact_update`;
- deletion: `privacy.requests.erasure.contact_erase` (refused under a legal hold or retention floor);
- restriction: a RESTRICTION hold on the person (`privacy.retention.services.legal_hold_place`);
- explanation: nothing to change -- the generated page is shown from the self-service page;
- withdrawal: `privacy.consent.services.consent_withdraw_all`.

`fulfil` returns a short description for the timeline or raises `FulfilmentRefused`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .models import CorrectableField, RequestKind
from .services import FulfilmentRefused


def _contact(req):
    if req.contact is None:
        raise FulfilmentRefused(_("该请求已不再关联任何联系人，无法执行。"))
    return req.contact


def _package(req, actor):
    from zhaoshang.core.tasks import enqueue

    from .tasks import build_request_package

    enqueue(build_request_package, req.pk, actor.pk)
    return _("已安排生成个人信息副本")


def _correction(req, actor):
    from clients.services import contact_update

    contact = _contact(req)
    value = (req.correction_value or "").strip()
    if req.correction_field not in CorrectableField.values or not value:
        raise FulfilmentRefused(_("没有可以应用的更正内容。"))
    try:
        contact_update(user=actor, contact=contact, **{req.correction_field: value})
    except PermissionDenied as exc:
        message = str(exc) or _("您没有修改该联系人的权限。")
        raise FulfilmentRefused(message + _("（可分派给该企业的负责专员办理。）")) from exc
    except ValidationError as exc:
        raise FulfilmentRefused(exc.messages[0]) from exc
    return _("已将“%(field)s”更正") % {"field": CorrectableField(req.correction_field).label}


def _deletion(req, actor, reason):
    from privacy.requests.erasure import ErasureRefused, contact_erase

    contact = _contact(req)
    try:
        contact_erase(contact, reason=reason, actor=actor)
    except ErasureRefused as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        raise FulfilmentRefused(messages[0] or _("当前不能删除该联系人的个人信息。")) from exc
    # contact_erase blanked this request's texts and shredded its old key (it keeps no personal data
    # about the erased person); read it again so the answer is written under a fresh key.
    req.refresh_from_db()
    req.save(update_fields=["details"])  # provisions the fresh key (details is blank already)
    return _("已删除该联系人的个人信息")


def _restriction(req, actor, reason):
    from privacy.models import LegalHold
    from privacy.retention.services import legal_hold_place

    contact = _contact(req)
    try:
        legal_hold_place(
            user=actor, reason=reason, kind=LegalHold.Kind.RESTRICTION, contact=contact, reference=f"SR-{req.pk}"
        )
    except ValidationError as exc:
        raise FulfilmentRefused(exc.messages[0]) from exc
    return _("已对该联系人设置限制处理")


def _withdrawal(req, actor):
    from privacy.consent.models import Channel
    from privacy.consent.services import consent_withdraw_all

    channel = req.channel if req.channel in Channel.values else Channel.SYSTEM
    count = consent_withdraw_all(contact=_contact(req), channel=channel, actor=actor)
    return _("已撤回 %(n)s 项同意") % {"n": count}


def fulfil(req, *, actor, reason):
    kind = req.kind
    if kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        return _package(req, actor)
    if kind == RequestKind.CORRECTION:
        return _correction(req, actor)
    if kind == RequestKind.DELETION:
        return _deletion(req, actor, reason)
    if kind == RequestKind.RESTRICTION:
        return _restriction(req, actor, reason)
    if kind == RequestKind.WITHDRAWAL:
        return _withdrawal(req, actor)
    return _("已生成处理规则说明页面")
