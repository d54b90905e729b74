from django.conf import settings

from clients.roles import user_role_codes


def portal(request):
    """What the base template needs on every page: the zone's name, the user's roles and, for
    administrators and the privacy officer, whether background work is stalled (the banner)."""
    user = getattr(request, "user", None)
    roles = user_role_codes(user) if user is not None else frozenset()
    stalled = None
    if roles & {"admin", "privacy_officer"}:
        from .health import background_stalled

        stalled = background_stalled()
    return {"ZONE_NAME": settings.ZONE_NAME, "user_roles": roles, "background_stalled": stalled}
