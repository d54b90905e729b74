"""The privacy app's admin console, one module per concern (Django's admin autodiscovery imports this one)."""

from privacy.assessments import admin as assessments_admin  # noqa: F401  (impact assessments [I])
from privacy.consent import admin as consent_admin  # noqa: F401  (purposes, policies, the ledger)
from privacy.incidents import admin as incidents_admin  # noqa: F401  (security incidents, drills [J])
from privacy.requests import admin as requests_admin  # noqa: F401  (data-subject requests)
from privacy.retention import admin as retention_admin  # noqa: F401  (rules, purge runs, legal holds [F])
from privacy.sharing import admin as sharing_admin  # noqa: F401  (partners, agreements, shares [I])
from privacy.training import admin as training_admin  # noqa: F401  (training, recognition [J])
