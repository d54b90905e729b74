from .access import AccessEvent, AccessSubject
from .internal import Anomaly, AuditEngagement, Finding, FindingLink, Rectification, RectificationReminder
from .sealing import AuditSeal, Chain, Redaction

__all__ = [
    "AccessEvent",
    "AccessSubject",
    "Anomaly",
    "AuditEngagement",
    "AuditSeal",
    "Chain",
    "Finding",
    "FindingLink",
    "Rectification",
    "RectificationReminder",
    "Redaction",
]
