"""`{% load retention %}{% retention_rules_public %}`: the retention periods for the public policy page."""

from django import template

register = template.Library()


def public_retention_rules():
    from privacy.models import RetentionRule

    return list(RetentionRule.objects.active().order_by("order", "code"))


@register.inclusion_tag("privacy/_retention_rules_public.html")
def retention_rules_public():
    return {"rules": public_retention_rules()}
