from django.conf import settings
from django.utils.functional import SimpleLazyObject

from clients.roles import user_role_codes


def portal(request):
    """What the base template needs on every page: the zone's name, the user's roles and the bell.

    The bell's unread count is lazy: one bounded query, only on pages that show the header.
    """
    from .notifications.services import unread_badge

    user = getattr(request, "user", None)
    return {
        "ZONE_NAME": settings.ZONE_NAME,
        "user_roles": user_role_codes(user) if user is not None else frozenset(),
        "notifications_badge": SimpleLazyObject(lambda: unread_badge(user)),
    }
