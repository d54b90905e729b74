"""Partner sharing's models in the change trail (django-auditlog), read by `PrivacyConfig.audited_models`.

Partner contact fields are encrypted and masked with a constant (privacy.crypto.auditlog_kwargs);
file fields carry random names only. Share subjects are not logged one by one: each person's
share is an access event (action ``share``) already.
"""

AUDITED_MODELS = [
    ("privacy.Partner", {}),
    ("privacy.PartnerEvaluation", {}),
    ("privacy.Agreement", {"m2m_fields": {"purposes"}}),
    ("privacy.DataShare", {}),
]
