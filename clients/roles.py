"""Roles: the one table that says what each role may do, and helpers to ask about a user.

Groups and Role rows are created by a data migration (clients 0002). Model permissions are
declared here and synced after every `migrate`, so that a model added by a later issue gets its
permissions the moment its migration runs. Permission codenames that do not exist yet are skipped.
"""

from django.contrib.auth.models import Group, Permission

from .models import DataScope, Role

C = Role.Code

ROLE_DEFINITIONS = {
    C.OFFICER: ("招商专员", DataScope.SELF),
    C.DEPARTMENT_HEAD: ("部门负责人", DataScope.DEPARTMENT_TREE),
    C.PRIVACY_OFFICER: ("个人信息保护负责人", DataScope.ALL),
    C.COMPLAINT_HANDLER: ("投诉处理专员", DataScope.DEPARTMENT),
    C.AUDITOR: ("审计员", DataScope.ALL),
    C.ADMIN: ("系统管理员", DataScope.ALL),
    C.LEADERSHIP: ("分管领导", DataScope.ALL),
}

_CASE_VIEW = ["clients.view_enterprise", "clients.view_contact", "clients.view_project", "clients.view_followup"]
# [L] 到资 tranches and milestone plans are read with the project and written by whoever may change it.
_FUNDS_VIEW = ["clients.view_fundtranche", "clients.view_milestoneplan"]
_FUNDS_EDIT = ["clients.add_fundtranche", "clients.add_milestoneplan", "clients.change_milestoneplan"]
# [L] 考核 targets: heads enter their own department's, leadership everyone's (clients.targets decides whose).
_TARGETS_ENTER = ["clients.view_target", "clients.add_target", "clients.change_target", "clients.export_target"]
_CASE_EDIT = [
    "clients.add_enterprise",
    "clients.change_enterprise",
    "clients.add_contact",
    "clients.change_contact",
    "clients.add_project",
    "clients.change_project",
    "clients.add_followup",
    "clients.change_followup",
]

# App-level permissions (custom Meta.permissions) are listed with the models that declare them.
ROLE_PERMISSIONS = {
    C.OFFICER: [
        *_CASE_VIEW,
        *_CASE_EDIT,
        *_FUNDS_VIEW,
        *_FUNDS_EDIT,
        "clients.view_target",  # their own targets and progress only
        "clients.reveal_contact",
        "clients.export_enterprise",
        "clients.import_enterprise",
        "privacy.add_consentevent",
        "privacy.view_consentevent",
        "privacy.add_selfservicelink",  # [E] issue/send self-service links
        "privacy.export_outreach",  # [E] 政策推送 list (consenting contacts only)
        "privacy.add_datashare",  # [I] share with a partner (agreement, assessment, consent checked)
        "privacy.view_datashare",
        "privacy.add_subjectrequest",  # [H] record a request made by phone, letter, visit or e-mail
        "privacy.view_subjectrequest",  # [H] only those assigned to them
        "privacy.handle_subjectrequest",
        "complaints.view_complaint",
    ],
    C.DEPARTMENT_HEAD: [
        *_CASE_VIEW,
        *_CASE_EDIT,
        *_FUNDS_VIEW,
        *_FUNDS_EDIT,
        *_TARGETS_ENTER,
        "clients.reveal_contact",
        "clients.reveal_sensitive_contact",
        "clients.export_enterprise",
        "clients.export_clear_values",
        "clients.import_enterprise",
        "clients.assign_project",
        "privacy.add_consentevent",
        "privacy.view_consentevent",
        "privacy.add_selfservicelink",
        "privacy.export_outreach",
        "privacy.export_consentstate",
        "privacy.add_datashare",
        "privacy.view_datashare",
        "privacy.add_subjectrequest",
        "privacy.view_subjectrequest",
        "privacy.handle_subjectrequest",
        "complaints.view_complaint",
        "complaints.approve_extension",
    ],
    C.PRIVACY_OFFICER: [
        *_CASE_VIEW,
        "clients.reveal_contact",
        "clients.reveal_sensitive_contact",
        "clients.export_enterprise",
        "privacy.view_consentevent",
        "privacy.add_consentevent",
        "privacy.add_selfservicelink",
        "privacy.export_consentstate",
        "privacy.view_purpose",
        "privacy.change_purpose",
        "privacy.add_purpose",
        "privacy.view_privacypolicy",
        "privacy.add_privacypolicy",
        "privacy.change_privacypolicy",
        "privacy.view_retentionrule",
        "privacy.change_retentionrule",
        "privacy.view_purgerun",
        "privacy.run_purge",
        "privacy.view_legalhold",
        "privacy.add_legalhold",
        "privacy.change_legalhold",
        "privacy.view_subjectrequest",
        "privacy.change_subjectrequest",
        "privacy.erase_contact",  # [H] "erase now" on the contact page
        "privacy.add_subjectrequest",
        "privacy.handle_subjectrequest",
        # [I] partners, agreements, impact assessments (approval is the privacy officer's)
        "privacy.view_partner",
        "privacy.add_partner",
        "privacy.change_partner",
        "privacy.view_partnerevaluation",
        "privacy.add_partnerevaluation",
        "privacy.view_agreement",
        "privacy.add_agreement",
        "privacy.change_agreement",
        "privacy.view_datashare",
        "privacy.view_impactassessment",
        "privacy.add_impactassessment",
        "privacy.change_impactassessment",
        "privacy.approve_impactassessment",
        "privacy.view_risk",
        "privacy.view_mitigation",
        # [J] incidents, drills, training and recognition (the privacy officer manages them)
        "privacy.view_incident",
        "privacy.add_incident",
        "privacy.change_incident",
        "privacy.view_drill",
        "privacy.add_drill",
        "privacy.view_course",
        "privacy.add_course",
        "privacy.change_course",
        "privacy.view_completion",
        "privacy.add_completion",
        "privacy.view_recognition",
        "privacy.add_recognition",
        # [J] record of processing, policy and law review, the PIPL scorecard
        "privacy.view_ropasnapshot",
        "privacy.view_lawentry",
        "privacy.add_lawentry",
        "privacy.change_lawentry",
        "privacy.view_policyreview",
        "privacy.add_policyreview",
        "privacy.view_scorecard",
        "audit.view_trail",
        "complaints.view_complaint",
        "complaints.reveal_complainant",
    ],
    C.COMPLAINT_HANDLER: [
        "clients.view_enterprise",
        "clients.view_project",
        "complaints.view_complaint",
        "complaints.add_complaint",
        "complaints.change_complaint",
        "complaints.handle_complaint",
        "complaints.reveal_complainant",
        "complaints.manage_complaints",
    ],
    C.AUDITOR: [
        *_CASE_VIEW,
        "audit.view_trail",
        "audit.view_auditengagement",
        "audit.add_auditengagement",
        "audit.change_auditengagement",
        "audit.add_finding",
        "audit.change_finding",
        "audit.view_finding",
        "audit.view_rectification",
        "audit.add_rectification",
        "audit.change_rectification",
        "privacy.view_purgerun",
        "privacy.view_consentevent",
        "privacy.view_partner",  # [I] read-only
        "privacy.view_agreement",
        "privacy.view_datashare",
        "privacy.view_impactassessment",
        "privacy.view_incident",  # [J] read-only
        "privacy.view_drill",
        "privacy.view_course",
        "privacy.view_completion",
        "privacy.view_recognition",
        "privacy.view_ropasnapshot",  # [J] read-only: record of processing, review register, scorecard
        "privacy.view_lawentry",
        "privacy.view_policyreview",
        "privacy.view_scorecard",
        "complaints.view_complaint",
    ],
    C.ADMIN: ["*"],
    # [L] 分管领导: reads every case and dashboard, enters and exports targets for everyone; no reveal
    # of personal data, no case edits.
    C.LEADERSHIP: [*_CASE_VIEW, *_FUNDS_VIEW, *_TARGETS_ENTER, "privacy.view_scorecard"],  # [J] the scorecard
}

# Permissions that open personal data in clear in bulk (export without masks), sensitive fields
# (ID numbers) or everyone's trail. Whoever holds one, through any role or directly, must sign in
# with a second factor when REQUIRE_2FA_FOR_PRIVILEGED is on (zhaoshang.core.middleware).
TWO_FACTOR_PERMISSIONS = ("clients.export_clear_values", "clients.reveal_sensitive_contact", "audit.view_trail")


def needs_two_factor(user):
    """True for a user holding any of TWO_FACTOR_PERMISSIONS (a superuser holds them all)."""
    return bool(getattr(user, "is_authenticated", False)) and any(
        user.has_perm(perm) for perm in TWO_FACTOR_PERMISSIONS
    )


def _resolve(codes):
    """Permission objects for "app.codename" strings ("*" means all); unknown ones are skipped."""
    if codes == ["*"]:
        return list(Permission.objects.all())
    wanted = {tuple(code.split(".", 1)) for code in codes}
    perms = Permission.objects.filter(codename__in={c for _a, c in wanted}).select_related("content_type")
    return [p for p in perms if (p.content_type.app_label, p.codename) in wanted]


def ensure_roles():
    """Create the role groups and Role rows if missing (idempotent). Used by the data migration."""
    for code, (group_name, scope) in ROLE_DEFINITIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        Role.objects.update_or_create(code=code, defaults={"group": group, "data_scope": scope})


def sync_role_permissions():
    """Give each role's group exactly the permissions declared above (adds and removes)."""
    for role in Role.objects.select_related("group"):
        role.group.permissions.set(_resolve(ROLE_PERMISSIONS.get(role.code, [])))


def sync_role_permissions_handler(sender, **kwargs):
    if Role.objects.exists():
        sync_role_permissions()


# --- Questions about a user --------------------------------------------------------------------


def _user_roles(user):
    """{role code: data scope} for the user, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_zs_roles", None)
    if cached is None:
        cached = dict(Role.objects.filter(group__user=user).values_list("code", "data_scope"))
        if user.is_superuser:
            cached.setdefault(C.ADMIN, DataScope.ALL)
        user._zs_roles = cached
    return cached


def user_role_codes(user):
    """The set of role codes a user holds."""
    return frozenset(_user_roles(user))


def has_role(user, *codes):
    return bool(user_role_codes(user) & set(codes))


def user_scope(user):
    """The widest data scope among the user's roles (None: sees no case records).

    Read from Role.data_scope, so an administrator who changes a role's scope in the admin
    console changes what its holders see.
    """
    return DataScope.widest(_user_roles(user).values())
