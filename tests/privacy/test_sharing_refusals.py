"""A share is refused, with its Chinese message, unless every rule holds; exclusions need a confirmation."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessEvent, AccessSubject
from clients.models import Contact
from privacy.assessments import services as assessments
from privacy.retention.services import legal_hold_place
from privacy.sharing import services as sharing
from privacy.sharing.models import DataShare, ShareSubject

from . import sharing_factories as f

pytestmark = pytest.mark.django_db

FIELDS = ["name", "mobile", "enterprise"]


def _share(officer, partner, agreement, purpose, people, **kwargs):
    return sharing.share_create(
        user=officer,
        partner=partner,
        agreement=agreement,
        purpose=purpose,
        fields=kwargs.pop("fields", FIELDS),
        contacts=Contact.objects.filter(pk__in=[c.pk for c in people]),
        **kwargs,
    )


def _refusal(officer, partner, agreement, purpose, people, **kwargs):
    with pytest.raises(sharing.ShareRefused) as exc:
        _share(officer, partner, agreement, purpose, people, **kwargs)
    return exc.value.messages[0]


@pytest.fixture
def setup(dpo, officer1, make_contact):
    partner, agreement, assessment, purpose = f.ready(dpo)
    people = [make_contact() for _ in range(3)]
    for person in people:
        f.grant_for(person, purpose, partner)
    return partner, agreement, assessment, purpose, people


def test_share_with_everything_in_order_records_people_fields_basis_and_one_event_each(setup, officer1):
    partner, agreement, assessment, purpose, people = setup
    share = _share(officer1, partner, agreement, purpose, people)
    assert share.person_count == 3
    assert share.fields == ["name", "enterprise", "mobile"]  # the file's column order
    assert (share.agreement, share.assessment, share.purpose) == (agreement, assessment, purpose)
    assert share.legal_basis == "consent" and share.created_by == officer1
    assert set(ShareSubject.objects.filter(share=share).values_list("contact_id", flat=True)) == {p.pk for p in people}
    events = AccessEvent.objects.filter(action="share", object_id=str(share.pk))
    assert events.count() == 3
    assert all(e.row_count == 1 and e.detail["recipient"] == partner.name for e in events)
    subjects = AccessSubject.objects.filter(event__in=events)
    assert sorted(subjects.values_list("contact_id", flat=True)) == sorted(p.pk for p in people)
    assert {s.action for s in subjects} == {"share"}


def test_expired_agreement_is_refused(setup, officer1):
    partner, agreement, _a, purpose, people = setup
    type(agreement).objects.filter(pk=agreement.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    agreement.refresh_from_db()
    message = _refusal(officer1, partner, agreement, purpose, people)
    assert "已于" in message and "到期" in message and agreement.number in message


def test_terminated_agreement_is_refused(setup, officer1, dpo):
    partner, agreement, _a, purpose, people = setup
    sharing.agreement_terminate(agreement=agreement, user=dpo, reason="合作结束")
    assert "已终止" in _refusal(officer1, partner, agreement, purpose, people)


def test_entrusted_processing_agreement_cannot_provide_to_another_handler(dpo, officer1, make_contact):
    partner, _g, _a, purpose = f.ready(dpo)
    f.assessment(dpo, partner, [purpose], triggers=("entrust", "provide"))
    wrong = f.agreement(dpo, partner, [purpose], kind="entrusted")
    person = make_contact()
    f.grant_for(person, purpose, partner)
    message = _refusal(officer1, partner, wrong, purpose, [person])
    assert "须依据“向他人提供”或“共同处理”协议" in message


def test_no_assessment_is_refused(dpo, officer1, make_contact):
    partner, agreement, assessment, purpose = f.ready(dpo)
    person = make_contact()
    f.grant_for(person, purpose, partner)
    assessments.assessment_close(assessment=assessment, user=dpo, reason="处理活动调整")
    message = _refusal(officer1, partner, agreement, purpose, [person])
    assert "没有覆盖合作方" in message and "影响评估" in message


def test_unapproved_assessment_is_refused(dpo, officer1, make_contact):
    partner, agreement, assessment, purpose = f.ready(dpo)
    person = make_contact()
    f.grant_for(person, purpose, partner)
    assessments.assessment_reopen(assessment=assessment, user=dpo, note="数据范围变化，重新评估")
    message = _refusal(officer1, partner, agreement, purpose, [person])
    assert "尚未经个人信息保护负责人批准" in message


def test_assessment_past_its_review_date_is_refused(dpo, officer1, make_contact):
    partner, agreement, assessment, purpose = f.ready(dpo)
    person = make_contact()
    f.grant_for(person, purpose, partner)
    type(assessment).objects.filter(pk=assessment.pk).update(
        next_review_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    message = _refusal(officer1, partner, agreement, purpose, [person])
    assert "到期复核" in message


def test_consent_for_another_recipient_is_not_consent_for_this_one(dpo, officer1, make_contact):
    partner, agreement, _a, purpose = f.ready(dpo)
    other, _g, _a, _p = f.ready(dpo)
    person = make_contact()
    f.grant_for(person, purpose, other)  # names another park
    message = _refusal(officer1, partner, agreement, purpose, [person])
    assert f"均未单独同意向“{partner.name}”提供" in message


def test_restricted_person_is_refused(setup, officer1, dpo):
    partner, agreement, _a, purpose, people = setup
    legal_hold_place(user=dpo, reason="本人要求限制处理", kind="restriction", contact=people[0])
    message = _refusal(officer1, partner, agreement, purpose, people[:1])
    assert "限制处理" in message and "不能提供" in message


def test_fields_outside_the_agreed_categories_are_refused(dpo, officer1, make_contact):
    partner, _g, _a, purpose = f.ready(dpo)
    narrow = f.agreement(dpo, partner, [purpose], categories=["identity"])
    person = make_contact()
    f.grant_for(person, purpose, partner)
    message = _refusal(officer1, partner, narrow, purpose, [person], fields=["name", "mobile"])
    assert "手机号" in message and "不在协议和用途约定的个人信息种类内" in message


def test_unvetted_partner_is_refused(dpo, officer1, make_contact):
    partner, agreement, _a, purpose = f.ready(dpo)
    person = make_contact()
    f.grant_for(person, purpose, partner)
    sharing.partner_vet(partner=partner, user=dpo, status="suspended")
    partner.refresh_from_db()
    assert "暂停合作" in _refusal(officer1, partner, agreement, purpose, [person])


def test_share_of_ten_where_three_lack_consent_shares_seven_only_after_confirmation(dpo, officer1, make_contact):
    partner, agreement, _a, purpose = f.ready(dpo)
    people = [make_contact() for _ in range(10)]
    for person in people[:7]:
        f.grant_for(person, purpose, partner)
    message = _refusal(officer1, partner, agreement, purpose, people)
    assert "有 3 人" in message and "确认排除" in message
    assert not DataShare.objects.exists()  # nothing shared without the confirmation
    assert "确认排除" in _refusal(officer1, partner, agreement, purpose, people, confirmed_exclusions=2)
    share = _share(officer1, partner, agreement, purpose, people, confirmed_exclusions=3)
    assert share.person_count == 7 and share.excluded_no_consent == 3 and share.excluded_restricted == 0
    shared = set(ShareSubject.objects.filter(share=share).values_list("contact_id", flat=True))
    assert shared == {p.pk for p in people[:7]}
    assert not AccessSubject.objects.filter(action="share", contact_id__in=[p.pk for p in people[7:]]).exists()


def test_the_seven_see_the_share_on_their_self_service_page_and_the_three_do_not(dpo, officer1, make_contact, client):
    from privacy.selfservice import services as links

    partner, agreement, _a, purpose = f.ready(dpo)
    people = [make_contact() for _ in range(10)]
    for person in people[:7]:
        f.grant_for(person, purpose, partner)
    _share(officer1, partner, agreement, purpose, people, confirmed_exclusions=3)
    for n, person in enumerate(people):
        body = client.get(links.selfservice_link(person), follow=True).content.decode()
        shared_with = body.split('id="shared-with"', 1)[1].split("</table>", 1)[0]
        if n < 7:
            assert partner.name in shared_with and purpose.name in shared_with
        else:
            assert partner.name not in shared_with and "您的信息未向任何第三方提供。" in shared_with


def test_withdrawal_after_the_preview_changes_the_count_and_asks_again(setup, officer1):
    from privacy.consent import services as consent

    partner, agreement, _a, purpose, people = setup
    check = sharing.share_check(
        user=officer1, partner=partner, agreement=agreement, purpose=purpose, fields=FIELDS,
        contacts=Contact.objects.filter(pk__in=[p.pk for p in people]),
    )  # fmt: skip
    assert check.excluded == 0
    consent.consent_withdraw(contact=people[0], purpose=purpose, channel="selfservice", recipient=partner)
    assert "有 1 人" in _refusal(officer1, partner, agreement, purpose, people, confirmed_exclusions=0)


def test_people_outside_the_sharers_scope_are_never_counted_or_shared(setup, officer1, officer2, make_contact):
    partner, agreement, _a, purpose, people = setup
    foreign = make_contact(owner=officer2)
    f.grant_for(foreign, purpose, partner)
    share = _share(officer1, partner, agreement, purpose, [*people, foreign])
    assert share.person_count == 3 and share.excluded_no_consent == 0
    assert not ShareSubject.objects.filter(contact_id=foreign.pk).exists()


def test_eligibility_takes_a_constant_number_of_queries(dpo, officer1, make_contact):
    partner, agreement, _a, purpose = f.ready(dpo)
    few = [make_contact() for _ in range(2)]
    many = few + [make_contact() for _ in range(18)]
    for person in many[::2]:
        f.grant_for(person, purpose, partner)

    def count(people):
        with CaptureQueriesContext(connection) as ctx:
            check = sharing.share_check(
                user=officer1, partner=partner, agreement=agreement, purpose=purpose, fields=FIELDS,
                contacts=Contact.objects.filter(pk__in=[p.pk for p in people]),
            )  # fmt: skip
        return len(ctx.captured_queries), check

    count(few)  # warm the user's permission cache and the content types
    n_few, _check = count(few)
    n_many, check_many = count(many)
    assert len(check_many.eligible_ids) == 10 and check_many.no_consent == 10
    assert n_few == n_many <= 10
