"""The copy package of an access or portability request (PIPL Art. 45): build, store, link.

`package_write(contact, fileobj)` writes the zip: ``data.json`` (the machine-readable copy, schema
in docs/subject-package.md and ``schema.json`` beside it), one CSV per kind of record under
``csv/`` and ``index.html``, the same data readable in Chinese. Each section of
`package_sections.SECTIONS` is read ONCE, in chunks: while its CSV entry is written into the zip,
its JSON and HTML fragments go to two spooled temporary files, copied into the zip at the end --
memory stays flat (bench/requests.py: 1,000 follow-ups, 200 complaints, 20,000 access events).

`package_build(subject_request=, actor=)` builds the package of the request's person, stores it
encrypted for the contact (`privacy.files`, so that shredding the person's key makes it
unreadable), and records an access event (``subject_export``) naming the person.
`package_link_path(package)` is the signed self-service link (valid PACKAGE_LINK_DAYS), opened
by `package_views.package_download` behind the self-service door.
"""

import csv
import datetime
import html
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.core import signing
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from audit.access import record_access
from privacy import files

from .package_models import SubjectPackage
from .package_sections import SECTIONS

SUBJECT_PACKAGE = "privacy.subject_package"  # the files' purpose (associated data): never reuse
PACKAGE_LINK_DAYS = 5
PACKAGE_MAX_DOWNLOADS = 5
FORMAT = "zhaoshang.subject-package"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("package_schema.json")
LINK_SALT = "privacy.requests.package"  # a namespace, not a secret
_SPOOL = 4 * 1024 * 1024


def _json_default(value):
    return str(value)


def _cell(value):
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


_HEAD = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>个人信息副本</title>
<style>
body{{font-family:"Microsoft YaHei","PingFang SC",sans-serif;margin:1rem;color:#222;line-height:1.5}}
h1{{font-size:1.4rem}} h2{{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}}
.wrap{{overflow-x:auto}} table{{border-collapse:collapse;font-size:.9rem;min-width:100%}}
th,td{{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top;word-break:break-word}}
th{{background:#f3f3f3}} dl{{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}}
dt{{font-weight:bold}} .muted{{color:#666}}
</style></head><body>
<h1>个人信息副本</h1>
<p class="muted">生成时间：{generated}。本文件包含本机构处理的您的个人信息，依据《个人信息保护法》第四十五条提供。
机器可读的完整数据见 data.json（格式说明见 schema.json），每类记录另有 CSV 文件（csv/ 目录）。</p>
<nav><ul>{nav}</ul></nav>
"""


def _html_section_start(key, title, columns, single):
    if single:
        return f'<section id="{key}"><h2>{html.escape(title)}</h2>'
    heads = "".join(f"<th>{html.escape(label)}</th>" for _field, label in columns)
    return (
        f'<section id="{key}"><h2>{html.escape(title)}</h2>'
        f'<div class="wrap"><table><thead><tr>{heads}</tr></thead><tbody>'
    )


def _html_row(row, columns, single):
    if single:
        items = "".join(
            f"<dt>{html.escape(label)}</dt><dd>{html.escape(_cell(row.get(field)))}</dd>" for field, label in columns
        )
        return f"<dl>{items}</dl>"
    cells = "".join(f"<td>{html.escape(_cell(row.get(field)))}</td>" for field, _label in columns)
    return f"<tr>{cells}</tr>"


def _html_section_end(count, single):
    if single:
        return "</section>"
    empty = '<tr><td colspan="99" class="muted">无记录</td></tr>' if not count else ""
    return f"{empty}</tbody></table></div><p class='muted'>共 {count} 条</p></section>"


SINGLE = {"contact"}


def package_write(contact, fileobj):
    """Write the copy package of `contact` as a zip into the binary file `fileobj`; return the
    number of rows per section. Only rows about this person (see `package_sections`)."""
    generated = timezone.localtime()
    counts = {}
    with (
        translation.override("zh-hans"),
        tempfile.SpooledTemporaryFile(_SPOOL, mode="w+b") as data_json,
        tempfile.SpooledTemporaryFile(_SPOOL, mode="w+b") as body,
        zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        header = {"format": FORMAT, "version": FORMAT_VERSION, "generated_at": generated.isoformat(timespec="seconds")}
        data_json.write(json.dumps(header, ensure_ascii=False)[:-1].encode())
        for key, title, columns, rows in SECTIONS:
            single = key in SINGLE
            fields = [field for field, _label in columns]
            data_json.write(f', "{key}": ['.encode())
            body.write(_html_section_start(key, title, columns, single).encode())
            count = 0
            with archive.open(f"csv/{key}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow([label for _field, label in columns])
                for row in rows(contact):
                    writer.writerow([_cell(row.get(field)) for field in fields])
                    data_json.write(
                        (("," if count else "") + json.dumps(row, ensure_ascii=False, default=_json_default)).encode()
                    )
                    body.write(_html_row(row, columns, single).encode())
                    count += 1
                text.flush()
                text.detach()
            data_json.write(b"]")
            body.write(_html_section_end(count, single).encode())
            counts[key] = count
        data_json.write(b', "counts": ' + json.dumps(counts).encode() + b"}")
        with archive.open("data.json", "w", force_zip64=True) as out:
            data_json.seek(0)
            shutil.copyfileobj(data_json, out, 1024 * 1024)
        nav = "".join(
            f'<li><a href="#{key}">{html.escape(title)}</a>（{counts[key]}）</li>' for key, title, _c, _r in SECTIONS
        )
        with archive.open("index.html", "w", force_zip64=True) as out:
            out.write(_HEAD.format(generated=f"{generated:%Y-%m-%d %H:%M}", nav=nav).encode())
            body.seek(0)
            shutil.copyfileobj(body, out, 1024 * 1024)
            out.write(b"</body></html>")
        archive.write(SCHEMA_PATH, "schema.json")
    return counts


def package_build(*, subject_request, actor):
    """Build, encrypt and store the copy package of the request's person; return the `SubjectPackage`.

    Records one access event (``subject_export``) naming the person, with the request and package
    ids. The link to it (`package_link_path`) opens for PACKAGE_LINK_DAYS days, at most
    PACKAGE_MAX_DOWNLOADS times.
    """
    from clients.models import Contact

    contact = Contact._base_manager.select_related("enterprise", "subject_key").get(pk=subject_request.contact_id)
    with tempfile.TemporaryFile() as spool:
        counts = package_write(contact, spool)
        blob = files.encrypt_for(contact, File(spool), purpose=SUBJECT_PACKAGE)
    now = timezone.now()
    with transaction.atomic():
        package = SubjectPackage(
            subject_request=subject_request,
            contact=contact,
            created_at=now,
            expires_at=now + datetime.timedelta(days=PACKAGE_LINK_DAYS),
            max_downloads=PACKAGE_MAX_DOWNLOADS,
            size=len(blob),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        package.file.save("package.zsf", ContentFile(blob), save=False)
        package.save()
        record_access(
            actor,
            "subject_export",
            contact,
            purpose="个人信息权利请求：副本",
            row_count=sum(counts.values()),
            detail={"request": subject_request.pk, "package": package.pk},
            subject_ids=[contact.pk],
        )
    return package


def package_open(package):
    """The zip's bytes (`SubjectKeyShredded` once the person was erased)."""
    return files.open_decrypted(package.contact, package.file, purpose=SUBJECT_PACKAGE)


# --- The signed link -------------------------------------------------------------------------


def _signer():
    return signing.TimestampSigner(salt=LINK_SALT)


def package_token(package):
    return _signer().sign(str(package.pk))


def package_link_path(package):
    """The self-service path of the package's download ("/c/package/<signed id>/")."""
    from django.urls import reverse

    return reverse("selfservice:package", args=[package_token(package)])


def package_from_token(token):
    """The package id a well-signed token younger than PACKAGE_LINK_DAYS names, else None."""
    if not token or len(token) > 100:
        return None
    try:
        value = _signer().unsign(token, max_age=datetime.timedelta(days=PACKAGE_LINK_DAYS))
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
