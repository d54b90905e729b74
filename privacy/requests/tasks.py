"""Data-subject request jobs: the hourly clock (also `manage.py check_subject_requests`) and the
copy package built after an access or portability request is completed. Ids only as arguments."""

from celery import shared_task


@shared_task(name="privacy.tasks.check_subject_requests", ignore_result=True)
def check_subject_requests():
    from .services import check_subject_requests as run

    return run()


@shared_task(name="privacy.tasks.build_request_package", ignore_result=True)
def build_request_package(request_id, actor_id):
    """Build the package of a completed access/portability request (idempotent in package_build)."""
    from django.contrib.auth import get_user_model

    from privacy.requests.package import package_build

    from .models import SubjectRequest

    req = SubjectRequest.objects.filter(pk=request_id).select_related("contact").first()
    if req is None:
        return None
    actor = get_user_model().objects.filter(pk=actor_id).first()
    package = package_build(subject_request=req, actor=actor)
    return getattr(package, "pk", None)


@shared_task(name="privacy.tasks.process_public_request", ignore_result=True)
def process_public_request(token):
    """Handle one public-form submission (privacy/requests/public.py); the token is random and
    one-time, the typed values stay sealed in the cache."""
    from .public import process

    process(token)
