"""The public request form, answered in the same time whether or not the person is registered.

Looking the person up (blind indexes, their recorded name), recording the request and sending a
one-time code take time only when there is someone to find; done while the person waits, the
answer's delay would tell anyone who can guess a mobile number whether that number belongs to a
registered contact. So the form's answer does the same work for everyone: it seals what was typed
under a fresh key wrapped by the master key (privacy.files transient encryption), leaves it in the
cache under a random one-time token for as long as a code would be valid, and hands the token --
never a value -- to a task (`privacy.tasks.process_public_request`), which does the looking up and the sending. The
token stays in the submitter's session; the request created for them carries its digest, and that
is how the code page finds it.

When the cache or the broker cannot be reached, nothing typed is lost: the submission is handled
while the person waits, as it was before (the delay is then the only difference, during an outage).
"""

import base64
import hashlib
import json
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

logger = logging.getLogger(__name__)

PURPOSE = "privacy.public_request"  # the transient encryption's purpose (associated data)
FIELDS = ("kind", "name", "mobile", "email", "details", "correction_field", "correction_value")


def _cache_key(token):
    return f"privacy:public-request:{token_digest(token)}"


def token_digest(token):
    return hashlib.sha256(f"{settings.SECRET_KEY}:public-request:{token}".encode()).hexdigest()


def _ttl():
    return settings.SUBJECT_REQUEST_CODE_MINUTES * 60


def submit(data):
    """Take a valid public form's data: returns the one-time token for the session. Always the
    same work: seal, store, enqueue; the handling itself runs in the worker."""
    from privacy import files
    from zhaoshang.core.tasks import enqueue

    from .tasks import process_public_request

    token = secrets.token_urlsafe(24)
    values = {name: str(data.get(name) or "") for name in FIELDS}
    key = files.new_transient_key()
    sealed = files.encrypt_transient(json.dumps(values).encode(), key=key, purpose=PURPOSE)
    try:
        cache.set(_cache_key(token), {"key": key, "blob": base64.b64encode(sealed).decode()}, timeout=_ttl())
    except Exception as exc:  # noqa: BLE001 - the cache (Redis) is down: handle it now, lose nothing
        logger.warning("public request handled inline: cache unavailable (%s)", type(exc).__name__)
        handle(token, values)
        return token
    enqueue(process_public_request, token, on_failure=lambda: process(token))
    return token


def process(token):
    """The worker's part: open the sealed submission (once: it is removed as it is read), look the
    person up and, when found, record the request and send the code. False when the submission
    has expired or was already handled."""
    from privacy import files
    from privacy.crypto import DecryptionError

    try:
        entry = cache.get(_cache_key(token))
        cache.delete(_cache_key(token))
    except Exception as exc:  # noqa: BLE001 - cache down between submit and now: nothing to read
        logger.warning("public request not handled: cache unavailable (%s)", type(exc).__name__)
        return False
    if not entry:
        return False
    try:
        raw = files.decrypt_transient(base64.b64decode(entry["blob"]), key=entry["key"], purpose=PURPOSE)
    except (DecryptionError, KeyError, ValueError):
        logger.warning("public request not handled: the sealed submission could not be opened")
        return False
    handle(token, json.loads(raw))
    return True


def _normal_name(value):
    return "".join(str(value or "").split()).casefold()


def match_contact(*, name, mobile="", email=""):
    """The contact whose recorded mobile or e-mail (blind index) and name match, or None."""
    from clients.models import Contact

    candidates = []
    if mobile:
        candidates += list(Contact.objects.search_mobile(mobile).order_by("-updated_at")[:20])
    if email:
        candidates += list(Contact.objects.search_email(email).order_by("-updated_at")[:20])
    wanted = _normal_name(name)
    for contact in candidates:
        if contact.subject_key is None or contact.subject_key.is_shredded:
            continue
        if wanted and _normal_name(contact.name) == wanted:
            return contact
    return None


def handle(token, values):
    """Look the person up by name and mobile or e-mail; when found, record the request (waiting for
    its code), mark it with the token's digest and send the code. Nothing happens otherwise."""
    from . import services
    from .models import RequestChannel, SubjectRequest

    contact = match_contact(name=values["name"], mobile=values["mobile"], email=values["email"])
    if contact is None:
        return None
    try:
        with transaction.atomic():  # a code that cannot be sent leaves no request behind
            req = services.subject_request_create(
                contact=contact,
                kind=values["kind"],
                channel=RequestChannel.WEB,
                details=values["details"],
                correction_field=values["correction_field"],
                correction_value=values["correction_value"],
                verified=False,
            )
            SubjectRequest.objects.filter(pk=req.pk).update(public_token_digest=token_digest(token))
            services.subject_request_send_code(subject_request=req)
    except ValidationError:
        return None  # nothing could be sent: the same outcome as no match
    return req


def pending_request(token):
    """The request the public form created for this token, still waiting for its code, or None."""
    from .models import RequestStatus, SubjectRequest

    if not token or not isinstance(token, str):
        return None
    return SubjectRequest.objects.filter(
        public_token_digest=token_digest(token), status=RequestStatus.AWAITING_VERIFICATION
    ).first()
