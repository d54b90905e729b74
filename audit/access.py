"""The one helper that records reads of personal data (see audit.models.access)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from zhaoshang.core.middleware import get_correlation_id

_FORBIDDEN_DETAIL_KEYS = {"name", "mobile", "email", "wechat", "id_number", "token", "phone", "address"}


def record_access(user, action, obj=None, *, purpose="", row_count=None, detail=None, subject_ids=(), request=None):
    """Write one access event and return it.

    `obj` is the record read (optional for exports); `subject_ids` the contact ids the read
    concerned (an export names every contact in it). `detail` holds ids, counts and filter
    names only: keys that look like personal fields are refused, so that a careless caller
    cannot write a phone number into the trail.
    """
    from .models import AccessEvent, AccessSubject

    detail = dict(detail or {})
    bad = _FORBIDDEN_DETAIL_KEYS & {str(k).lower() for k in detail}
    if bad:
        raise ValueError(f"access event detail must not carry personal fields: {sorted(bad)}")
    remote_addr = None
    if request is not None and settings.AUDIT_RECORD_CLIENT_IP:
        remote_addr = request.META.get("REMOTE_ADDR")
    event = AccessEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        purpose=purpose[:200],
        row_count=row_count,
        detail=detail,
        correlation_id=get_correlation_id() or "",
        remote_addr=remote_addr,
    )
    subject_ids = {int(pk) for pk in subject_ids if pk is not None}
    if subject_ids:
        AccessSubject.objects.bulk_create([AccessSubject(event=event, contact_id=pk) for pk in subject_ids])
    return event


def record_denied(request, *, model=None, object_id=""):
    """Record an out-of-scope request that answered 404 (a "denied" access event), once per request.

    Case views may call it from their `get_<thing>_for_user` gate; `audit.middleware.
    DeniedAccessMiddleware` calls it for any other 404 a signed-in user meets under
    settings.AUDIT_DENIED_PATH_PREFIXES. The path is kept only when it carries no query string.
    """
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or getattr(request, "_audit_denied_recorded", False):
        return None
    from .models import AccessEvent

    request._audit_denied_recorded = True
    detail = {"path": request.path[:200]}
    if model is not None:
        detail["model"] = model._meta.label
    if object_id:
        detail["object_id"] = str(object_id)[:64]
    return record_access(user, AccessEvent.Action.DENIED, detail=detail, request=request)
