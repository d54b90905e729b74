"""The schema's title, description and tags, translated lazily: the OpenAPI schema and its docs page
speak the reader's language (the portal's, or ``?lang=en``). Settings read them for
SPECTACULAR_SETTINGS and each endpoint names its tag from here, so the two always agree.
Nothing but gettext_lazy is imported: settings import this module before Django is set up."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ENTERPRISES = pgettext_lazy("API tag", "企业")
PROJECTS = _("项目与跟进")
CONTACTS = pgettext_lazy("API tag", "联系人")
HOTLINE = _("投诉（12345 热线）")
COUNTS = _("统计")

TITLE = _("招商管理平台 API")
DESCRIPTION = _(
    "供 12345 热线、省市招商平台和开发区 OA 等系统调用的接口。每个接入系统在管理后台登记，"
    "以其服务账号的角色与数据范围访问数据；请求头 `Authorization: Api-Key <密钥>`。"
    "个人信息一律脱敏返回，明文只能通过 reveal 接口说明用途后查看。错误统一为 "
    '`{"error": {"code", "message", "fields"}}`。'
)
TAGS = [
    {"name": ENTERPRISES, "description": _("企业列表、搜索、详情与报备（含查重）")},
    {"name": PROJECTS, "description": _("项目列表与筛选、详情、阶段变更、跟进记录")},
    {"name": CONTACTS, "description": _("同意状态（只读）与明文查看（须说明用途）")},
    {"name": HOTLINE, "description": _("转办（按工单号幂等）与办理状态；答复、办结时回调")},
    {"name": COUNTS, "description": _("仪表板统计数字")},
]
