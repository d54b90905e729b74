"""Seed the register of laws and standards with the ones the zone's privacy rules rest on."""

import datetime

from django.db import migrations

LAWS = [
    {
        "name": "中华人民共和国个人信息保护法",
        "name_en": "Personal Information Protection Law of the People's Republic of China (PIPL)",
        "kind": "law",
        "issuer": "全国人民代表大会常务委员会",
        "issuer_en": "Standing Committee of the National People's Congress",
        "effective_date": datetime.date(2021, 11, 1),
        "changes": "个人信息处理规则、个人权利、处理者义务、出境规则及法律责任。",
        "changes_en": (
            "Rules for processing personal information, individuals' rights, processors' "
            "duties, cross-border rules and liabilities."
        ),
    },
    {
        "name": "GB/T 35273-2020 信息安全技术 个人信息安全规范",
        "name_en": "GB/T 35273-2020 Information security technology — Personal information security specification",
        "kind": "standard",
        "issuer": "国家市场监督管理总局、国家标准化管理委员会",
        "issuer_en": "SAMR and the Standardization Administration of China",
        "effective_date": datetime.date(2020, 10, 1),
        "changes": "收集、存储、使用、共享、转让、公开披露个人信息的安全要求；隐私政策、处理活动记录、安全事件处置。",
        "changes_en": (
            "Security requirements for collecting, storing, using, sharing, transferring and "
            "disclosing personal information; privacy policy, records of processing, incident "
            "handling."
        ),
    },
    {
        "name": "个人信息保护合规审计管理办法",
        "name_en": "Measures for the Administration of Personal Information Protection Compliance Audits",
        "kind": "regulation",
        "issuer": "国家互联网信息办公室",
        "issuer_en": "Cyberspace Administration of China",
        "effective_date": datetime.date(2025, 5, 1),
        "changes": "个人信息处理者定期开展合规审计，按要求留存审计证据并整改发现的问题。",
        "changes_en": (
            "Processors carry out regular compliance audits, keep the audit evidence and rectify the problems found."
        ),
    },
    {
        "name": "国家网络安全事件报告管理办法",
        "name_en": "Measures for the Administration of National Cybersecurity Incident Reporting",
        "kind": "regulation",
        "issuer": "国家互联网信息办公室",
        "issuer_en": "Cyberspace Administration of China",
        "effective_date": datetime.date(2025, 11, 1),
        "changes": "网络安全事件分为特别重大、重大、较大、一般四级，按级别在规定时限内报告。",
        "changes_en": (
            "Cybersecurity incidents are graded in four levels (especially major, major, "
            "relatively major, general) and reported within deadlines set per level."
        ),
    },
]


def seed(apps, schema_editor):
    LawEntry = apps.get_model("privacy", "LawEntry")
    next_review = datetime.date.today() + datetime.timedelta(days=365)
    for law in LAWS:
        LawEntry.objects.get_or_create(name=law["name"], defaults={**law, "next_review_date": next_review})


def unseed(apps, schema_editor):
    apps.get_model("privacy", "LawEntry").objects.filter(name__in=[law["name"] for law in LAWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0020_records_of_processing_review_scorecard")]

    operations = [migrations.RunPython(seed, unseed)]
