"""Choice lists shared by the case models (labels in Chinese, the source language)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类 门类."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    HKD = "HKD", _("港元")
    JPY = "JPY", _("日元")
    OTHER = "OTHER", _("其他")


class Source(models.TextChoices):
    """Where a record (or a contact's details) came from."""

    CLIENT = "client", _("客户主动提供")
    PUBLIC = "public", _("公开渠道")
    PARTNER = "partner", _("合作方推荐")
    FAIR = "fair", _("展会")
    SUPERIOR = "superior", _("上级交办")
    OTHER = "other", _("其他")


class CollectionPurpose(models.TextChoices):
    """What a contact's details were collected for (purpose limitation; [B]'s Purpose codes)."""

    LIAISON = "investment_liaison", _("招商服务联络")
    NEGOTIATION = "project_negotiation", _("项目洽谈与落地服务")
    POLICY = "policy_outreach", _("政策宣传推送")
    EVENT = "event_invitation", _("活动邀请")


class RevealPurpose(models.TextChoices):
    CALL = "call", _("电话联系客户")
    MAIL = "mail", _("邮件联络客户")
    VERIFY = "verify", _("核实身份信息")
    SERVICE = "service", _("办理项目手续")
    OTHER = "other", _("其他")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("拜访")
    INBOUND = "inbound", _("来访")
    INSPECTION = "inspection", _("考察")
    FAIR = "fair", _("洽谈会")
    WECHAT = "wechat", _("微信")
    OTHER = "other", _("其他")
