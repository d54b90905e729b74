"""[N] Every page in English mode: no Chinese outside proper names and user data.

The demo data is seeded (it is in Chinese, as a zone's records are), every page of the URL
configuration is opened as each demo role that may open it, with the language cookie set to
English, and the visible text (text nodes, placeholders, titles, aria labels) is searched for CJK
characters once the user data is taken out: every string value stored in the database (names of
enterprises, projects, people; decrypted personal fields; free text), the zone's name and each
language's own name in the switcher. What remains is interface text that missed the catalogue.
"""

import html
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from privacy.crypto.masking import mask_name

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
ROLES = ["officer1", "head1", "dpo", "handler", "auditor", "admin", "leader"]
SKIP_NAMESPACES = {"admin", "two_factor"}
SKIP_NAMES = {
    "core:healthz",
    "core:favicon",
    "set_language",
    "logout",
    "clients:export",  # files, not pages (the Excel test covers sheet names)
    "clients:import_template",
    "privacy:states_export",
    "privacy:outreach_export",
    "privacy:evidence",
    "audit:export",
    "complaints:analysis_export",
    "complaints:attachment",
}
PROPER_NAMES = ["简体中文"]


def _demo(password):
    from audit.demo import seed_audit
    from clients.demo import seed_cases, seed_organisation
    from complaints.demo import seed_complaints
    from privacy.demo import seed_consents

    for step in (seed_organisation, seed_audit, seed_cases, seed_consents, seed_complaints):
        step(password=password)


def _user_data():
    """Every string stored in the project's tables (decrypted), longest first."""
    values = set(PROPER_NAMES) | {settings.ZONE_NAME}
    for model in apps.get_models():
        if model._meta.app_label not in {"clients", "privacy", "complaints", "audit", "core", "auth"}:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) or type(f).__name__.startswith("Encrypted")
        ]
        if not fields:
            continue
        for row in model._base_manager.all()[:2000]:
            for name in fields:
                try:
                    value = getattr(row, name)
                except Exception:  # noqa: BLE001, S112 - a shredded subject's field: nothing to show
                    continue
                if isinstance(value, str) and CJK.search(value):
                    values.add(value.strip())
                    values.add(mask_name(value))  # personal values are shown masked (丁*)
                    values.update(part.strip() for part in re.split(r"[\n，。；、]", value) if part.strip())
    return sorted(values, key=len, reverse=True)


def _visible_text(body):
    body = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", body)
    attributes = re.findall(r'(?:placeholder|title|aria-label|alt|value)="([^"]*)"', body)
    attributes = [a for a in attributes if not re.search(r"[{<]", a)]
    text = re.sub(r"(?s)<[^>]+>", " ", body)
    return html.unescape(" ".join([text, *attributes]))


def _pages(ids):
    """(url name, path) of every page of the URL configuration that takes no or known arguments."""
    from django.urls import reverse

    found = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIP_NAMESPACES:
                    continue
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                found.append(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns)
    pages = []
    for name in dict.fromkeys(found):
        if name in SKIP_NAMES:
            continue
        for args in ids.get(name, [()]):
            try:
                pages.append((name, reverse(name, args=args)))
            except Exception:  # noqa: BLE001, S112 - a URL whose arguments the demo cannot fill
                continue
    return pages


def _ids():
    from audit.models import AuditEngagement, Finding, Rectification
    from clients.models import Contact, Enterprise, ImportBatch, Project
    from complaints.models import Complaint
    from privacy.models import PurgeRun

    def first(model, **filters):
        row = model._base_manager.filter(**filters).order_by("pk").first()
        return [(row.pk,)] if row else []

    enterprise = Enterprise.objects.filter(contacts__isnull=False).order_by("pk").first()
    contact = Contact.objects.filter(enterprise=enterprise).order_by("pk").first()
    project = Project.objects.order_by("pk").first()
    return {
        "clients:enterprise_detail": [(enterprise.pk,)],
        "clients:enterprise_edit": [(enterprise.pk,)],
        "clients:enterprise_assign": [(enterprise.pk,)],
        "clients:contact_create": [(enterprise.pk,)],
        "clients:project_create": [(enterprise.pk,)],
        "clients:contact_detail": [(contact.pk,)],
        "clients:contact_edit": [(contact.pk,)],
        "privacy:consent_record": [(contact.pk,)],
        "clients:project_detail": [(project.pk,)],
        "clients:project_edit": [(project.pk,)],
        "clients:project_assign": [(project.pk,)],
        "clients:followup_create": [(project.pk,)],
        "clients:import_upload": [("enterprise",)],
        "clients:import_batch": first(ImportBatch),
        "complaints:detail": [(c.pk,) for c in Complaint.objects.order_by("pk")],
        "audit:engagement_detail": first(AuditEngagement),
        "audit:engagement_edit": first(AuditEngagement),
        "audit:engagement_report": first(AuditEngagement),
        "audit:finding_detail": first(Finding),
        "audit:rectification_detail": first(Rectification),
        "privacy:run_detail": first(PurgeRun),
        "privacy:request_new": [(contact.pk,)],  # [H] staff entry, and a request with a full timeline
        "privacy:request_detail": _subject_request(contact),
    }


def _subject_request(contact):
    from django.contrib.auth import get_user_model

    from privacy.requests import services

    dpo = get_user_model().objects.get(username="dpo")
    req = services.subject_request_create(
        contact=contact, kind="correction", correction_field="position", correction_value="总经理"
    )
    services.subject_request_assign(subject_request=req, actor=dpo, handler=dpo)
    services.subject_request_pause(subject_request=req, actor=dpo, reason="请提供任职证明")
    services.subject_request_resume(subject_request=req, reply="已上传")
    services.subject_request_extend(subject_request=req, actor=dpo, reason="需要核对")
    services.subject_request_refuse(subject_request=req, actor=dpo, ground="no_data", text="无此记录")
    return [(req.pk,)]


@pytest.mark.django_db
def test_every_page_in_english_has_no_chinese_outside_user_data(client):
    from django.contrib.auth import get_user_model

    from privacy.selfservice.services import selfservice_link
    from tests.conftest import PASSWORD

    _demo(PASSWORD)
    from clients.models import Contact

    contact = Contact.objects.order_by("pk").first()
    ids = _ids()
    pages = _pages(ids)
    user_data = _user_data()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    problems, opened = {}, set()

    def check(who, name, path):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logout() clears the cookies
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        opened.add(name)
        text = _visible_text(response.content.decode())
        for value in user_data:
            if value in text:
                text = text.replace(value, " ")
        for line in text.splitlines():
            line = " ".join(line.split())
            if CJK.search(line):
                problems.setdefault(line[:400], f"{who} {path}")

    for name, path in pages:
        if name in {"complaints:public_new", "privacy:policy", "two_factor:login"}:
            client.logout()
            check("anonymous", name, path)
    check("anonymous", "selfservice:home", selfservice_link(contact))
    # [H] behind the door cookie: every kind's form and the request page
    from privacy.requests.models import RequestKind, SubjectRequest

    for kind in RequestKind.values:
        check("anonymous", "selfservice:request_kind", f"/c/request/{kind}/")
    from privacy.requests import services as request_services

    dpo = get_user_model().objects.get(username="dpo")
    explained = request_services.subject_request_create(contact=contact, kind="explanation")
    request_services.subject_request_assign(subject_request=explained, actor=dpo, handler=dpo)
    request_services.subject_request_complete(subject_request=explained, actor=dpo, outcome="见说明页面")
    paused = request_services.subject_request_create(contact=contact, kind="access")
    request_services.subject_request_assign(subject_request=paused, actor=dpo, handler=dpo)
    request_services.subject_request_pause(subject_request=paused, actor=dpo, reason="请说明年份")
    request_services.subject_request_create(contact=contact, kind="deletion")  # awaiting its code
    user_data = _user_data()
    for req in SubjectRequest.objects.filter(contact=contact):
        check("anonymous", "selfservice:request_status", f"/c/request/{req.pk}/")
    check("anonymous", "selfservice:request_explanation", f"/c/request/{explained.pk}/explanation/")
    User = get_user_model()
    for username in ROLES:
        client.force_login(User.objects.get(username=username))
        for name, path in pages:
            check(username, name, path)
    client.force_login(User.objects.get(username="admin"))
    for path in ["/admin/", "/admin/auth/user/", "/admin/privacy/purpose/"]:
        check("admin", path, path)

    assert len(opened) > 40, sorted(opened)
    assert not problems, "\n".join(f"{where}: {line}" for line, where in sorted(problems.items(), key=lambda i: i[1]))
