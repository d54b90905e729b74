"""Helpers the staff views of every privacy concern share: the permission check and the contacts in scope."""

from django.core.exceptions import PermissionDenied


def require_perms(user, *perms):
    """403 unless `user` has every permission in `perms`."""
    if not all(user.has_perm(p) for p in perms):
        raise PermissionDenied


def visible_contacts(user):
    """The contacts `user` may see (`Contact.objects.visible_to`): the base of every list and export."""
    from clients.models.contact import Contact

    return Contact.objects.visible_to(user)
