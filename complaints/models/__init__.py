from .complaint import (
    OPEN_STATUSES,
    STAFF_CHANNELS,
    Channel,
    Complaint,
    ComplaintAttachment,
    DailyCounter,
    Status,
)
from .config import ComplaintCategory, ComplaintKind
from .workflow import ComplaintEvent, ExtensionRequest, Reminder

__all__ = [
    "OPEN_STATUSES",
    "STAFF_CHANNELS",
    "Channel",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintCategory",
    "ComplaintEvent",
    "ComplaintKind",
    "DailyCounter",
    "ExtensionRequest",
    "Reminder",
    "Status",
]
