"""Display masks as template filters, loaded as builtins: {{ contact.mobile|mask_mobile }}."""

from django import template

from privacy.crypto import masking

register = template.Library()

register.filter("mask_mobile", masking.mask_mobile)
register.filter("mask_name", masking.mask_name)
register.filter("mask_email", masking.mask_email)
register.filter("mask_id_number", masking.mask_id_number)
register.filter("mask_text", masking.mask_text)
