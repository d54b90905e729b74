"""Demo consents for the demo contacts (a step of `seed_demo`). Idempotent: contacts with any
consent history are left alone."""

from django.contrib.auth import get_user_model


def seed_consents(password=None):
    """Deterministic mix: most contacts consent to 政策推送, some to 满意度回访, a few withdraw,
    one in ten gives separate consent to partner sharing (to the demo park, when it is a
    recipient). Recorded as offline (现场) by the owner."""
    from clients.models import Contact

    from .consent import services
    from .models import Channel, ConsentEvent, Purpose

    if not Purpose.objects.filter(code=services.PURPOSE_POLICY_PUSH).exists():
        return 0
    officer = get_user_model().objects.filter(username="officer1").first()
    done = set(ConsentEvent.objects.values_list("contact_id", flat=True).distinct())
    partner = Purpose.objects.get(code=services.PURPOSE_PARTNER_SHARING)
    recipient = services.purpose_recipients(partner).first()
    created = 0
    for contact in Contact.objects.select_related("enterprise").order_by("pk"):
        if contact.pk in done:
            continue
        n = contact.pk
        kwargs = {"contact": contact, "channel": Channel.ONSITE, "actor": officer}
        if n % 5 != 0:
            services.consent_grant(purpose=services.PURPOSE_POLICY_PUSH, **kwargs)
            created += 1
        if n % 3 == 0:
            services.consent_grant(purpose=services.PURPOSE_SATISFACTION, **kwargs)
            created += 1
        if n % 7 == 0 and n % 5 != 0:
            services.consent_withdraw(purpose=services.PURPOSE_POLICY_PUSH, **kwargs)
            created += 1
        if n % 10 == 1 and recipient is not None:
            details = services.separate_details(partner, recipient=recipient)
            services.consent_grant(purpose=partner, separate=details, recipient=recipient, **kwargs)
            created += 1
    return created
