"""Scorecard row of encryption: 51 every field declared personal is encrypted (no query)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import Result, grade_min, row

from . import declared


@row("51-encryption", article="51", title=gettext_lazy("个人信息字段加密覆盖"), order=512)
def encrypted_field_coverage():
    encrypted, plain, missing = declared.check_declared(declared.PERSONAL_FIELDS)
    checked = len(encrypted) + len(plain)
    if not checked:
        return Result.no_data(_("没有声明为个人信息的字段。"))
    percent = round(100 * len(encrypted) / checked, 1)
    note = _("已加密 %(enc)s / %(total)s 个字段") % {"enc": len(encrypted), "total": checked}
    if plain:
        note += _("；未加密：%(fields)s") % {"fields": _("、").join(plain)}
    return Result(
        level=grade_min(percent, key="51-encryption", default=(100, 100)),
        value=f"{percent:g}%",
        note=note,
        figures={"percent": percent, "plain": plain, "missing": missing},
    )
