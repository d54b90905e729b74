from .choices import CollectionPurpose, Currency, FollowUpMethod, Industry, RevealPurpose, Source
from .contact import Contact
from .enterprise import Enterprise, EnterpriseGroupObjectPermission, EnterpriseUserObjectPermission, GrantKind
from .followup import FollowUp
from .funds import FundTranche, MilestonePlan
from .imports import ImportBatch
from .loss import LossReason
from .org import DataScope, Department, Role, StaffProfile
from .project import (
    PIPELINE,
    Assignment,
    Milestone,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    Stage,
    StageChange,
)
from .tally import CockpitTally
from .targets import Target

__all__ = [
    "PIPELINE",
    "Assignment",
    "CockpitTally",
    "CollectionPurpose",
    "Contact",
    "Currency",
    "DataScope",
    "Department",
    "Enterprise",
    "EnterpriseGroupObjectPermission",
    "EnterpriseUserObjectPermission",
    "FollowUp",
    "FollowUpMethod",
    "FundTranche",
    "GrantKind",
    "ImportBatch",
    "Industry",
    "LossReason",
    "Milestone",
    "MilestonePlan",
    "Project",
    "ProjectGroupObjectPermission",
    "ProjectUserObjectPermission",
    "RevealPurpose",
    "Role",
    "Source",
    "StaffProfile",
    "Stage",
    "StageChange",
    "Target",
]
