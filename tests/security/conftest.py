"""The security tests build cases with the builders of tests/clients."""

from tests.clients.conftest import make_enterprise, make_project  # noqa: F401 - fixtures, by name
