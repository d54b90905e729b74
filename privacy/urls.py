"""The privacy app's staff pages (namespace "privacy") and the public policy page, one list per concern.

The public self-service pages are `privacy.selfservice.urls` (namespace "selfservice", at /c/).
"""

from privacy.assessments.urls import urlpatterns as assessments
from privacy.consent.urls import urlpatterns as consent
from privacy.incidents.urls import urlpatterns as incidents
from privacy.requests.erasure_urls import urlpatterns as erasure
from privacy.requests.urls import urlpatterns as requests
from privacy.retention.urls import urlpatterns as retention
from privacy.review.urls import urlpatterns as review
from privacy.ropa.urls import urlpatterns as ropa
from privacy.scorecard.urls import urlpatterns as scorecard
from privacy.selfservice.urls import staff_urlpatterns as selfservice_links
from privacy.sharing.urls import urlpatterns as sharing
from privacy.training.urls import urlpatterns as training

app_name = "privacy"

urlpatterns = [
    *consent,
    *selfservice_links,
    *requests,
    *erasure,
    *retention,
    *sharing,
    *assessments,
    *incidents,
    *training,
    *ropa,
    *review,
    *scorecard,
]
