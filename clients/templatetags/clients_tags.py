from django import template

from zhaoshang.core.templatetags.people import staff_name

register = template.Library()
register.filter("staff_name", staff_name)
