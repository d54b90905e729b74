"""The one e-mail helper: render a subject/text/html template triplet and send it.

`<prefix>_subject.txt`, `<prefix>.txt` and `<prefix>.html` get the context plus SITE_URL and
ZONE_NAME. Notifications (`zhaoshang.core.notifications`) and the self-service link both send
through here.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_email(prefix, context):
    """(subject, text, html) from `<prefix>_subject.txt`, `<prefix>.txt` and `<prefix>.html`."""
    context = {"SITE_URL": settings.SITE_URL.rstrip("/"), "ZONE_NAME": settings.ZONE_NAME, **context}
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    text = render_to_string(f"{prefix}.txt", context)
    html = render_to_string(f"{prefix}.html", context)
    return subject, text, html


def send_email(prefix, context, recipients):
    """Send one message to `recipients` (addresses); returns the number sent (0 or 1)."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return 0
    subject, text, html = render_email(prefix, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    return message.send()
