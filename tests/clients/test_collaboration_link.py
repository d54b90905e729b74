"""申请协办 is reachable only from a 查重 result: a signed, user-bound, short-lived token — never by id."""

import re

from django.core import mail, signing
from django.urls import reverse

from clients.views import enterprises as enterprise_views
from clients.views.enterprises import COLLABORATION_SALT, collaboration_token

LINK = re.compile(r'href="(/clients/enterprises/request-collaboration/[^"/]+/)"')


def _link_from_check(client, name):
    body = client.get(reverse("clients:enterprise_check"), {"name": name}).content.decode()
    (link,) = LINK.findall(body)
    return link


def test_duplicate_check_hands_out_a_link_that_opens_the_request_page(
    officer1, officer2, make_enterprise, client_for, django_capture_on_commit_callbacks
):
    make_enterprise(officer2, name="宁波海联物流有限公司")
    client = client_for(officer1)
    link = _link_from_check(client, "宁波海联物流有限公司")
    page = client.get(link)
    assert page.status_code == 200 and "宁波海联物流有限公司" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves once the request commits
        sent = client.post(link, {"message": "请加我为协办"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1 and officer2.email in mail.outbox[0].to


def test_enterprise_ids_cannot_be_walked(officer1, officer2, make_enterprise, client_for):
    existing = make_enterprise(officer2, name="杭州禾丰生物科技有限公司")
    client = client_for(officer1)
    assert client.get(f"/clients/enterprises/{existing.pk}/request-collaboration/").status_code == 404
    for forged in (
        str(existing.pk),
        signing.dumps({"e": existing.pk, "u": officer1.pk}),  # right payload, wrong salt
        signing.dumps({"e": existing.pk, "u": officer1.pk}, salt=COLLABORATION_SALT, key="not-the-secret-key"),
        signing.dumps(existing.pk, salt=COLLABORATION_SALT),  # not bound to a user
    ):
        url = reverse("clients:enterprise_request_collaboration", args=[forged])
        response = client.get(url)
        assert response.status_code == 404, forged
        assert "杭州禾丰" not in response.content.decode()


def test_link_is_bound_to_the_user_it_was_shown_to(officer1, officer3, officer2, make_enterprise, client_for):
    existing = make_enterprise(officer2, name="温州瑞安汽配有限公司")
    link = _link_from_check(client_for(officer1), "温州瑞安汽配有限公司")
    assert client_for(officer3).get(link).status_code == 404
    assert client_for(officer3).post(link, {"message": "x"}).status_code == 404
    assert not mail.outbox
    own = reverse("clients:enterprise_request_collaboration", args=[collaboration_token(officer3, existing.pk)])
    assert client_for(officer3).get(own).status_code == 200


def test_link_expires(officer1, officer2, make_enterprise, client_for, monkeypatch):
    make_enterprise(officer2, name="嘉兴南湖电子有限公司")
    client = client_for(officer1)
    link = _link_from_check(client, "嘉兴南湖电子有限公司")
    monkeypatch.setattr(enterprise_views, "COLLABORATION_LINK_MAX_AGE", -1)
    assert client.get(link).status_code == 404


def test_records_in_scope_get_a_detail_link_not_a_request_link(officer1, make_enterprise, client_for):
    mine = make_enterprise(officer1, name="绍兴柯桥纺织有限公司")
    body = client_for(officer1).get(reverse("clients:enterprise_check"), {"name": mine.name}).content.decode()
    assert reverse("clients:enterprise_detail", args=[mine.pk]) in body
    assert not LINK.findall(body)
