"""Access events for reads of personal data through the API, naming the integration."""

from audit.access import record_access


def integration_of(request):
    return getattr(request.user, "api_integration", None)


def record_api_access(request, action, obj=None, *, purpose="", detail=None, subject_ids=(), row_count=None):
    integration = integration_of(request)
    detail = dict(detail or {})
    if integration is not None:
        detail.update(integration=integration.code, integration_id=integration.pk, via="api")
    return record_access(
        request.user,
        action,
        obj,
        purpose=purpose,
        detail=detail,
        subject_ids=subject_ids,
        row_count=row_count,
        request=request,
    )
