from django.conf import settings

from clients.roles import user_role_codes


def portal(request):
    """What the base template needs on every page: the zone's name and the user's roles."""
    user = getattr(request, "user", None)
    return {
        "ZONE_NAME": settings.ZONE_NAME,
        "PRIVACY_OFFICER_CONTACT": settings.PRIVACY_OFFICER_CONTACT,
        "user_roles": user_role_codes(user) if user is not None else frozenset(),
    }
