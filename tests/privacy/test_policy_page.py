"""The public privacy policy page: no login, the purposes and the retention periods."""

import pytest

from privacy.models import RetentionRule


@pytest.mark.django_db
def test_policy_page_is_public_and_lists_purposes_and_retention_periods(client):
    response = client.get("/privacy/policy/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "处理用途一览" in body and "政策推送与活动邀请" in body
    assert "个人信息的保存期限" in body
    rule = RetentionRule.objects.filter(active=True).first()
    assert rule is not None and rule.legal_basis[:20] in body
