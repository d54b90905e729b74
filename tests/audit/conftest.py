import pytest


@pytest.fixture(autouse=True)
def _roles(db):
    """Roles exist even when the suite runs with --nomigrations (idempotent otherwise)."""
    from clients.roles import ensure_roles, sync_role_permissions

    ensure_roles()
    sync_role_permissions()


@pytest.fixture
def seal_now(settings):
    """Seal entries at once (no grace period) in tests."""
    settings.AUDIT_SEAL_GRACE_SECONDS = 0
    return settings
