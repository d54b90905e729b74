"""Case fixtures on top of the shared personas: small builders for enterprises and projects."""

import itertools

import pytest

from clients import services
from clients.validators import make_credit_code

_seq = itertools.count(1)


def credit_code(n=None):
    n = next(_seq) if n is None else n
    return make_credit_code(f"91330100MA{n:07d}")


@pytest.fixture
def make_enterprise(org):
    def _make(owner, **fields):
        fields.setdefault("name", f"测试企业{next(_seq)}有限公司")
        fields.setdefault("credit_code", credit_code())
        fields.setdefault("industry", "C")
        return services.enterprise_create(user=owner, **fields)

    return _make


@pytest.fixture
def make_project(org, make_enterprise):
    def _make(owner, enterprise=None, **fields):
        enterprise = enterprise or make_enterprise(owner)
        fields.setdefault("title", f"测试项目{next(_seq)}")
        return services.project_create(user=owner, enterprise=enterprise, **fields)

    return _make
