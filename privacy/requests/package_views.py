"""The person's download of their copy package, behind the self-service door (/c/package/<signed>/).

The page list links to it through `templates/privacy/requests/_package_link.html`. The signed
value names the package only (no personal data, no link token); the door cookie names the person,
and a package of anyone else answers the neutral page. An expired link (PACKAGE_LINK_DAYS), a
package used up, revoked or deleted answers a clear page (410), never a 500. Each download is an
access event (``subject_export``) naming the person.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.access import record_access
from privacy.crypto import DecryptionError
from privacy.selfservice.rendering import _render, neutral_page, selfservice_view

from .package import package_from_token, package_open
from .package_models import SubjectPackage


def _unavailable(request, reason):
    context = {"reason": reason, "officer_contact": settings.PRIVACY_OFFICER_CONTACT}
    return _render(request, "privacy/requests/package_unavailable.html", context, status=410)


@require_http_methods(["GET"])
@selfservice_view
def package_download(request, contact, token):
    package_id = package_from_token(token)
    if package_id is None:
        return _unavailable(request, "expired")
    with transaction.atomic():
        package = SubjectPackage.objects.select_for_update().filter(pk=package_id).first()
        if package is None:
            return _unavailable(request, "gone")
        if package.contact_id != contact.pk:
            return neutral_page(request)
        now = timezone.now()
        if package.revoked_at is not None or package.expires_at <= now:
            return _unavailable(request, "expired")
        if package.download_count >= package.max_downloads:
            return _unavailable(request, "used")
        try:
            data = package_open(package)
        except (OSError, DecryptionError):
            return _unavailable(request, "gone")
        SubjectPackage.objects.filter(pk=package.pk).update(download_count=F("download_count") + 1)
        record_access(
            None,
            "subject_export",
            contact,
            purpose="个人信息副本下载",
            detail={"package": package.pk, "download": package.download_count + 1},
            subject_ids=[contact.pk],
            request=request,
        )
    from privacy.files import attachment_response

    name = f"personal-data-{timezone.localtime(package.created_at):%Y%m%d}.zip"
    return attachment_response(data, content_type="application/zip", filename=name)
