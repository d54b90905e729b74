from django.conf import settings
from django.utils.functional import SimpleLazyObject

from clients.roles import user_role_codes


def portal(request):
    """What the base template needs on every page: the zone's name, the user's roles, the bell and,
    for administrators and the privacy officer, whether background work is stalled (the banner).

    The bell's unread count is lazy: one bounded query, only on pages that show the header.
    """
    from .notifications.services import unread_badge

    user = getattr(request, "user", None)
    roles = user_role_codes(user) if user is not None else frozenset()
    stalled = None
    if roles & {"admin", "privacy_officer"}:
        from .health import background_stalled

        stalled = background_stalled()
    return {
        "ZONE_NAME": settings.ZONE_NAME,
        "user_roles": roles,
        "notifications_badge": SimpleLazyObject(lambda: unread_badge(user)),
        "background_stalled": stalled,
    }
