"""Every path that uses personal data for a consent-based purpose or takes it out of the system goes
through the one check: `privacy.consent.services.consent_filter` (consent — the separate consent
naming the recipient where the purpose provides to others — and every restriction).

`USE_PATHS` enumerates them: the outreach list, the satisfaction call list, the export of clear
values, a share with a partner and a cross-border transfer. For each, a person without consent and
a restricted person must be left out (or the use refused), and the check must have been asked. A
new path that takes personal data out belongs in this list; skipping the check fails both tests.
"""

import csv
import io

import pytest

from clients import services as client_services
from clients.models import Contact
from privacy.consent import services as consent
from privacy.models import Channel, Purpose
from privacy.retention.services import legal_hold_place
from privacy.sharing import services as sharing

from . import sharing_factories as f

pytestmark = pytest.mark.django_db


def _csv_ids(response, column=0):
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return rows


class Path:
    purpose = None
    consent_based = True
    user = "officer1"

    def prepare(self, dpo):
        """Anything the path needs besides the people (partners, agreements)."""

    def grant(self, contact):
        consent.consent_grant(contact=contact, purpose=self.purpose, channel=Channel.SELFSERVICE)

    def run(self, client, user, people):
        """The ids of `people` the path used (or an empty set when it refused)."""
        raise NotImplementedError


class Outreach(Path):
    purpose = "policy_push"

    def run(self, client, user, people):
        rows = _csv_ids(client.get("/privacy/outreach/export.csv"))
        return {int(r[0]) for r in rows[1:]}


class SatisfactionCalls(Path):
    purpose = "satisfaction"

    def prepare_contact(self, contact, user):
        client_services.project_create(user=user, enterprise=contact.enterprise, title="回访项目", stage="landed")

    def run(self, client, user, people):
        rows = _csv_ids(client.get("/privacy/satisfaction/export.csv"))
        return {int(r[0]) for r in rows[1:]}


class ClearExport(Path):
    purpose = "liaison"  # a contract basis: no consent needed, restrictions still apply
    consent_based = False
    user = "head1"

    def grant(self, contact):
        pass

    def run(self, client, user, people):
        response = client.get("/clients/export/contact/?format=csv&clear=1")
        body = response.content.decode("utf-8-sig")
        assert response.status_code == 200
        return {c.pk for c in people if str(c.mobile) in body}


class Share(Path):
    purpose = "partner_sharing"
    overseas = False

    def prepare(self, dpo):
        self.partner, self.agreement, _a, _p = f.ready(dpo, purpose=self.purpose, overseas=self.overseas)

    def grant(self, contact):
        f.grant_for(contact, self.purpose, self.partner)

    def run(self, client, user, people):
        try:
            share = sharing.share_create(
                user=user,
                partner=self.partner,
                agreement=self.agreement,
                purpose=Purpose.objects.get(code=self.purpose),
                fields=["name", "mobile"],
                contacts=Contact.objects.filter(pk__in=[p.pk for p in people]),
                confirmed_exclusions=2 if self.consent_based else 1,
            )
        except sharing.ShareRefused:
            return set()
        return set(share.subjects.values_list("contact_id", flat=True))


class CrossBorder(Share):
    purpose = "overseas_hq"
    overseas = True


USE_PATHS = [Outreach, SatisfactionCalls, ClearExport, Share, CrossBorder]


def _people(path, make_contact, owner):
    allowed, without, restricted = (make_contact(owner=owner) for _ in range(3))
    for contact in (allowed, without, restricted):
        if hasattr(path, "prepare_contact"):
            path.prepare_contact(contact, owner)
    path.grant(allowed)
    path.grant(restricted)
    return allowed, without, restricted


@pytest.mark.parametrize("path_class", USE_PATHS, ids=lambda p: p.__name__)
def test_every_use_leaves_out_people_without_consent_and_restricted_people(
    path_class, org, dpo, make_contact, client_for
):
    path = path_class()
    user = org[path.user]
    path.prepare(dpo)
    allowed, without, restricted = _people(path, make_contact, user)
    legal_hold_place(user=dpo, reason="本人要求限制处理", kind="restriction", contact=restricted)
    used = path.run(client_for(user), user, [allowed, without, restricted])
    assert allowed.pk in used
    assert restricted.pk not in used
    if path.consent_based:
        assert without.pk not in used
    else:
        assert without.pk in used  # a contract basis needs no consent


@pytest.mark.parametrize("path_class", USE_PATHS, ids=lambda p: p.__name__)
def test_every_use_asks_the_one_check(path_class, org, dpo, make_contact, client_for, monkeypatch):
    path = path_class()
    user = org[path.user]
    path.prepare(dpo)
    allowed, _without, _restricted = _people(path, make_contact, user)
    asked = []
    original = consent.consent_filter

    def spy(queryset, purpose, **kwargs):
        asked.append((getattr(purpose, "code", purpose), kwargs.get("recipient")))
        return original(queryset, purpose, **kwargs)

    monkeypatch.setattr(consent, "consent_filter", spy)
    path.run(client_for(user), user, [allowed])
    assert any(code == path.purpose for code, _r in asked), f"{path_class.__name__} did not ask consent_filter"
    if isinstance(path, Share):
        assert (path.purpose, path.partner) in asked  # the separate consent naming THIS recipient


def test_a_path_that_skips_the_check_is_caught(org, dpo, make_contact, client_for, monkeypatch):
    """The check above can fail: with the one check bypassed, the outreach list includes people
    without consent and the test's assertion does not hold."""
    path = Outreach()
    allowed, without, _restricted = _people(path, make_contact, org["officer1"])
    monkeypatch.setattr(consent, "consent_filter", lambda queryset, purpose, **kwargs: queryset)
    used = path.run(client_for(org["officer1"]), org["officer1"], [allowed, without])
    assert without.pk in used
