import pytest

from zhaoshang.core import calendar


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def kinds(db):
    from complaints.models import ComplaintKind

    return {k.code: k for k in ComplaintKind.objects.all()}


@pytest.fixture
def categories(db):
    from complaints.models import ComplaintCategory

    return {c.code: c for c in ComplaintCategory.objects.all()}


@pytest.fixture
def make_complaint(kinds, categories):
    """`make_complaint(**overrides)` files a complaint through the service; returns (complaint, secret)."""
    from complaints import services
    from complaints.models import Channel

    def _make(**overrides):
        data = {
            "kind": kinds["complaint"],
            "category": categories["policy"],
            "description": "招商时承诺的房租补贴至今没有兑现，请尽快处理。",
            "channel": Channel.WEB,
            "name": "李小明",
            "phone": "13812345678",
            "email": "li@example.cn",
        }
        data.update(overrides)
        return services.complaint_submit(**data)

    return _make
