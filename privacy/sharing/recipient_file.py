"""The recipient's file of a share: the chosen fields of the chosen people, as xlsx, streamed.

Rows are read in keyset chunks of contacts (each chunk with its enterprises' projects in one more
query), written by openpyxl's write-only workbook to a temporary file on disk, so memory stays flat
whatever the number of people; every cell is neutralised against formula injection. The file is
then encrypted (`privacy.files`) under the share's own key and stored; the plaintext temporary
file is deleted at once.
"""

import os
import tempfile
from collections import defaultdict

from django.core.files import File
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from clients.resources import neutralise
from privacy import files

CHUNK = 1000
SHARE_FILE = "privacy.share_recipient_file"  # the encrypted file's purpose (associated data)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# code -> (column label, data category (privacy DataCategory value)). The order is the file's.
FIELDS = {
    "name": (_("姓名"), "identity"),
    "position": (_("职务"), "identity"),
    "enterprise": (_("所在企业"), "identity"),
    "mobile": (_("手机号"), "contact"),
    "email": (_("电子邮箱"), "contact"),
    "wechat": (_("微信号"), "contact"),
    "projects": (_("投资项目"), "project"),
}


def field_choices():
    return [(code, label) for code, (label, _category) in FIELDS.items()]


def ordered(codes):
    """`codes` in the file's column order, unknown ones dropped."""
    wanted = set(codes)
    return [code for code in FIELDS if code in wanted]


def categories_of(codes):
    return {FIELDS[code][1] for code in codes if code in FIELDS}


def _projects(enterprise_ids):
    from clients.models import Project

    titles = defaultdict(list)
    rows = (
        Project.objects.filter(enterprise_id__in=enterprise_ids)
        .exclude(stage=Project.Stage.TERMINATED)
        .order_by("enterprise_id", "pk")
        .values_list("enterprise_id", "title")
    )
    for enterprise_id, title in rows:
        titles[enterprise_id].append(title)
    return {k: "；".join(v) for k, v in titles.items()}


def _cell(contact, code, projects):
    if code == "name":
        return str(contact.name or "")
    if code == "position":
        return contact.position
    if code == "enterprise":
        return contact.enterprise.name
    if code == "mobile":
        return str(contact.mobile or "")
    if code == "email":
        return str(contact.email or "")
    if code == "wechat":
        return str(contact.wechat or "")
    if code == "projects":
        return projects.get(contact.enterprise_id, "")
    raise KeyError(code)


def iter_rows(contact_ids, codes):
    """Rows (lists of cell values) for `contact_ids`, in id order, `CHUNK` contacts per query."""
    from clients.models import Contact

    ids = sorted(contact_ids)
    need_projects = "projects" in codes
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        contacts = list(Contact.objects.filter(pk__in=chunk).select_related("enterprise", "subject_key").order_by("pk"))
        projects = _projects({c.enterprise_id for c in contacts}) if need_projects else {}
        for contact in contacts:
            yield [neutralise(_cell(contact, code, projects)) for code in codes]


def write_xlsx(handle, contact_ids, codes):
    """Write the workbook for `contact_ids` and fields `codes` to the open binary file `handle`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("提供的个人信息")))
    sheet.append([neutralise(str(FIELDS[code][0])) for code in codes])
    for row in iter_rows(contact_ids, codes):
        sheet.append(row)
    workbook.save(handle)


def build_encrypted(share, contact_ids, codes):
    """(ContentFile of the encrypted xlsx, its plaintext size) for `share` (saved, with its key)."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    try:
        with os.fdopen(fd, "w+b") as handle:
            write_xlsx(handle, contact_ids, codes)
            size = handle.tell()
            handle.seek(0)
            encrypted = files.encrypted_upload(share, File(handle), purpose=SHARE_FILE)
    finally:
        os.unlink(path)
    return encrypted, size
