"""Every model of the privacy app, re-exported: `from privacy.models import X` works for all of them.

Django discovers the app's models through this module; each concern defines its own in its
`models.py` (privacy/consent, privacy/selfservice, privacy/retention, privacy/requests) and the
subject keys of privacy/crypto live in `keys.py` here. A new concern's models are imported below.
"""

from privacy.assessments.models import ImpactAssessment, Mitigation, Risk
from privacy.consent.models import (
    Channel,
    ConsentAction,
    ConsentCoverage,
    ConsentEvent,
    ConsentState,
    DataCategory,
    LedgerError,
    LegalBasis,
    PrivacyPolicy,
    Purpose,
    SeparateConsent,
)
from privacy.incidents.models import (
    ContainmentTask,
    Drill,
    Incident,
    IncidentNotification,
    IncidentSubject,
    TimelineEntry,
)
from privacy.requests.models import RequestKind, RequestStatus, SubjectRequest, SubjectRequestEvent, VerificationCode
from privacy.requests.package_models import SubjectPackage
from privacy.retention.models import (
    ClockEvent,
    LegalHold,
    PurgeRun,
    PurgeRunItem,
    RetentionAction,
    RetentionCategory,
    RetentionRule,
)
from privacy.review.models import LawEntry, LawKind, PolicyReview
from privacy.ropa.models import RopaSnapshot
from privacy.scorecard.models import ScorecardSnapshot
from privacy.selfservice.models import LinkChannel, SelfServiceLink
from privacy.sharing.models import Agreement, DataShare, Partner, PartnerEvaluation, ShareSubject
from privacy.training.models import Completion, Course, Recognition

from .keys import SubjectKey

__all__ = [
    "Agreement",
    "Channel",
    "ClockEvent",
    "Completion",
    "ConsentAction",
    "ConsentCoverage",
    "ConsentEvent",
    "ConsentState",
    "ContainmentTask",
    "Course",
    "DataCategory",
    "DataShare",
    "Drill",
    "ImpactAssessment",
    "Incident",
    "IncidentNotification",
    "IncidentSubject",
    "LawEntry",
    "LawKind",
    "LedgerError",
    "LegalBasis",
    "LegalHold",
    "LinkChannel",
    "Mitigation",
    "Partner",
    "PartnerEvaluation",
    "PolicyReview",
    "PrivacyPolicy",
    "PurgeRun",
    "PurgeRunItem",
    "Purpose",
    "Recognition",
    "RequestKind",
    "RequestStatus",
    "RetentionAction",
    "RetentionCategory",
    "RetentionRule",
    "Risk",
    "RopaSnapshot",
    "ScorecardSnapshot",
    "SelfServiceLink",
    "SeparateConsent",
    "ShareSubject",
    "SubjectKey",
    "SubjectPackage",
    "SubjectRequest",
    "SubjectRequestEvent",
    "TimelineEntry",
    "VerificationCode",
]
