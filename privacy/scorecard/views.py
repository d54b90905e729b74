"""The PIPL compliance scorecard: the card (with its monthly trend), an xlsx export and a printable
page for the compliance audit. Permission privacy.view_scorecard (privacy officer, auditor,
leadership); anyone else gets 404. Every row is a live query (see `privacy.scorecard.base`).
"""

import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from openpyxl import Workbook

from clients.resources import neutralise

from .base import AMBER, GREEN, NO_DATA, RED
from .services import scorecard_compute, scorecard_trend

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user):
    if not user.has_perm("privacy.view_scorecard"):
        raise Http404


def level_labels():
    return {GREEN: _("达标"), AMBER: _("关注"), RED: _("不达标"), NO_DATA: _("暂无数据")}


def _context(request):
    labels = level_labels()
    card = [{"row": entry, "result": result, "label": labels[result.level]} for entry, result in scorecard_compute()]
    totals = [
        (level, label, sum(1 for item in card if item["result"].level == level)) for level, label in labels.items()
    ]
    return {"card": card, "totals": totals, "now": timezone.localtime()}


@never_cache
def scorecard(request):
    _require(request.user)
    context = _context(request)
    context["trend"] = scorecard_trend()
    return render(request, "privacy/scorecard/page.html", context)


@never_cache
def scorecard_print(request):
    _require(request.user)
    return render(request, "privacy/scorecard/print.html", _context(request))


@never_cache
def scorecard_export(request):
    _require(request.user)
    context = _context(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("合规记分卡")[:31])
    sheet.append([_("条款"), _("项目"), _("结果"), _("数值"), _("说明"), _("明细链接")])
    for item in context["card"]:
        row, result = item["row"], item["result"]
        link = request.build_absolute_uri(result.drilldown) if result.drilldown else ""
        sheet.append(
            [neutralise(str(c)) for c in (row.article, row.title, item["label"], result.value, result.note, link)]
        )
    sheet.append([])
    sheet.append([neutralise(_("生成时间")), neutralise(f"{context['now']:%Y-%m-%d %H:%M}")])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="pipl-scorecard-{context["now"]:%Y%m%d}.xlsx"'
    return response
