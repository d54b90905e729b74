"""`make screenshots`: a gallery of every main page, per demo role, at 1280 and 390 px, zh and en.

Run against the demo database (`make seed` first). The script starts its own `runserver` on a free
port (or uses --base-url), signs in through the real login form as each demo user, visits that
role's main pages and writes full-page PNGs to `screenshots/` (git-ignored):

    screenshots/<role>/<lang>-<width>-<page>.png

It also reports any page whose content is wider than the window (sideways scroll) and any page that
answered with an error, and exits non-zero when there was one. Debian's Chromium is used
(/usr/bin/chromium or $CHROMIUM_PATH); Playwright never downloads a browser.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

WIDTHS = (1280, 390)
LANGUAGES = ("zh-hans", "en")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _django_ids():
    """Ids of demo objects to open and a fresh self-service link (read from the demo database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    import django

    django.setup()
    from audit.models import AuditEngagement as Engagement
    from audit.models import Finding
    from clients.models import Contact, Enterprise, Project
    from complaints.models import Complaint
    from privacy.selfservice.services import selfservice_link

    enterprise = Enterprise.objects.filter(contacts__isnull=False).order_by("pk").first()
    contact = Contact.objects.filter(enterprise=enterprise).order_by("pk").first() if enterprise else None
    project = Project.objects.order_by("pk").first()
    complaint = Complaint.objects.order_by("pk").first()
    engagement = Engagement.objects.order_by("pk").first()
    finding = Finding.objects.order_by("pk").first()
    return {
        "enterprise": enterprise.pk if enterprise else None,
        "contact": contact.pk if contact else None,
        "project": project.pk if project else None,
        "complaint": complaint.pk if complaint else None,
        "engagement": engagement.pk if engagement else None,
        "finding": finding.pk if finding else None,
        "selfservice": selfservice_link(contact) if contact else None,
    }


def _pages(ids):
    """role -> [(name, path)]; pages needing an object are skipped when the demo has none."""
    e, c, p, k = ids["enterprise"], ids["contact"], ids["project"], ids["complaint"]
    g, f = ids["engagement"], ids["finding"]

    def keep(rows):
        return [(name, path) for name, path in rows if path and "None" not in path]

    cases = [
        ("enterprises", "/clients/enterprises/"),
        ("enterprise", f"/clients/enterprises/{e}/"),
        ("enterprise-edit", f"/clients/enterprises/{e}/edit/"),
        ("contact", f"/clients/contacts/{c}/"),
        ("contact-edit", f"/clients/contacts/{c}/edit/"),
        ("consent-record", f"/privacy/contacts/{c}/consent/"),
        ("projects", "/clients/projects/"),
        ("project", f"/clients/projects/{p}/"),
        ("project-edit", f"/clients/projects/{p}/edit/"),
        ("followup-new", f"/clients/projects/{p}/followups/new/"),
        ("pool", "/clients/projects/pool/"),
        ("cockpit", "/clients/dashboard/"),
        ("search", "/clients/search/?q=%E7%A7%91%E6%8A%80"),
        ("import", "/clients/import/"),
        ("enterprise-new", "/clients/enterprises/new/"),
    ]
    complaints = [
        ("complaints", "/complaints/"),
        ("complaint", f"/complaints/{k}/"),
        ("complaint-new", "/complaints/staff/new/"),
        ("analysis", "/complaints/analysis/"),
    ]
    privacy = [
        ("coverage", "/privacy/consent/coverage/"),
        ("renewals", "/privacy/consent/renewals/"),
        ("requests", "/privacy/requests/"),
        ("retention", "/privacy/retention/"),
        ("runs", "/privacy/retention/runs/"),
        ("holds", "/privacy/retention/holds/"),
        ("hold-new", "/privacy/retention/holds/new/"),
    ]
    audit = [
        ("trail", "/audit/"),
        ("access", "/audit/access/"),
        ("signins", "/audit/signins/"),
        ("anomalies", "/audit/anomalies/"),
        ("engagements", "/audit/engagements/"),
        ("engagement", f"/audit/engagements/{g}/"),
        ("engagement-new", "/audit/engagements/new/"),
        ("findings", "/audit/findings/"),
        ("finding", f"/audit/findings/{f}/"),
        ("rectifications", "/audit/rectifications/mine/"),
    ]
    return {
        "public": keep(
            [
                ("login", "/account/login/"),
                ("policy", "/privacy/policy/"),
                ("complaint-form", "/complaints/new/"),
                ("selfservice", ids["selfservice"]),
            ]
        ),
        "officer1": keep([("dashboard", "/"), *cases, ("complaints", "/complaints/")]),
        "head1": keep(
            [("dashboard", "/"), *cases[:1], ("projects", "/clients/projects/"), ("cockpit", "/clients/dashboard/")]
        ),
        "dpo": keep(
            [
                ("dashboard", "/"),
                *privacy,
                ("contact", f"/clients/contacts/{c}/"),
                ("enterprise", f"/clients/enterprises/{e}/"),
            ]
        ),
        "handler": keep([("dashboard", "/"), *complaints]),
        "auditor": keep([("dashboard", "/"), *audit]),
        "admin": keep(
            [
                ("dashboard", "/"),
                ("admin", "/admin/"),
                ("admin-users", "/admin/auth/user/"),
                ("admin-purposes", "/admin/privacy/purpose/"),
                ("admin-auditlog", "/admin/auditlog/logentry/"),
                ("admin-axes", "/admin/axes/accesslog/"),
                ("admin-otp", "/admin/otp_totp/totpdevice/"),
                ("admin-departments", "/admin/clients/department/"),
                ("admin-webhooks", "/admin/integrations/webhookdelivery/"),
                ("admin-retention", "/admin/privacy/retentionrule/"),
            ]
        ),
    }


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server():
    port = _free_port()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "True")}
    server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # noqa: S310 - our own loopback server
            return server, url
        except urllib.error.HTTPError:  # it answers: up (503 "degraded" only means no Celery worker runs)
            return server, url
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("runserver did not start; is the database migrated and seeded (make seed)?")


def _sign_in(context, base_url, username, password):
    page = context.new_page()
    page.goto(base_url + "/account/login/")
    page.fill("#id_auth-username", username)
    page.fill("#id_auth-password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.close()


def _complaint_tracking(browser, base_url, out):
    """File a public complaint as a person would and keep the tracking page it links to."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(base_url + "/complaints/new/")
    page.select_option("#id_kind", index=1)
    page.select_option("#id_category", index=1)
    page.fill("#id_description", "这是一条由截图脚本提交的演示投诉，用于查看查询页面。")
    page.fill("#id_name", "演示人")
    page.fill("#id_email", "demo@example.cn")
    for box in page.locator("input[type=checkbox][required]").all():
        box.check()
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    link = page.locator("a[href*='/complaints/t/']").first
    href = link.get_attribute("href") if link.count() else None
    context.close()
    return href.removeprefix(base_url) if href else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running server on the demo database (default: start one)")
    parser.add_argument("--out", default=str(BASE_DIR / "screenshots"))
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "zhaoshang-demo-2026"))
    parser.add_argument("--roles", help="comma-separated subset, e.g. public,officer1")
    args = parser.parse_args()

    ids = _django_ids()
    pages = _pages(ids)
    if args.roles:
        pages = {role: rows for role, rows in pages.items() if role in args.roles.split(",")}
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    server = None
    base_url = args.base_url
    if not base_url:
        server, base_url = _start_server()
    problems = []
    count = 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            if "public" in pages:
                try:
                    track = _complaint_tracking(browser, base_url, args.out)
                except Exception as exc:  # noqa: BLE001 - the gallery goes on without this page
                    problems.append(f"public complaint-track: could not file a complaint ({exc})")
                    track = None
                if track:
                    pages["public"].append(("complaint-track", track))
            for role, rows in pages.items():
                folder = Path(args.out) / role
                folder.mkdir(parents=True, exist_ok=True)
                for language in LANGUAGES:
                    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
                    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
                    if role != "public":
                        _sign_in(context, base_url, role, args.password)
                    page = context.new_page()
                    for width in WIDTHS:
                        page.set_viewport_size({"width": width, "height": 900})
                        for name, path in rows:
                            response = page.goto(base_url + path)
                            page.wait_for_load_state("networkidle")
                            status = response.status if response else 0
                            if status >= 400:
                                problems.append(f"{role} {name} ({language}, {width}px): HTTP {status}")
                            wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                            if wide:
                                problems.append(f"{role} {name} ({language}, {width}px): scrolls sideways")
                            short = "zh" if language.startswith("zh") else "en"
                            page.screenshot(path=str(folder / f"{short}-{width}-{name}.png"), full_page=True)
                            count += 1
                    context.close()
            browser.close()
    finally:
        if server:
            server.terminate()
            server.wait(timeout=10)
    print(f"{count} screenshots in {args.out}")
    for line in problems:
        print("  ! " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
