"""Seed the five purposes of issue [E] and publish the first privacy-policy version (zh + en).

On PostgreSQL, also install the trigger that makes the consent ledger append-only: UPDATE and
DELETE on privacy_consentevent / privacy_separateconsent are refused unless the transaction ran
``SET LOCAL zhaoshang.purge = 'on'`` (privacy.services.consent_history_purge, for the purge of
erased persons only). TRUNCATE (test flushes) is not affected.
"""

import datetime

from django.db import migrations

PURPOSES = [
    # code, name, name_en, basis, separate, recipient, recipient_en, method, method_en, categories, order,
    # description, description_en
    (
        "liaison",
        "招商联络",
        "Investment liaison",
        "contract",
        False,
        "",
        "",
        "存储、使用（电话、邮件、面谈联系）",
        "Storage and use (calls, e-mail, meetings)",
        ["identity", "contact", "followup", "project"],
        1,
        "与您沟通投资意向、安排考察洽谈、推进项目落地。为订立、履行合同所必需，无需另行同意。",
        "Discussing investment plans, arranging visits and negotiations, completing projects. Necessary for a "
        "contract; no consent needed.",
    ),
    (
        "policy_push",
        "政策推送与活动邀请",
        "Policy updates and event invitations",
        "consent",
        False,
        "",
        "",
        "通过短信、邮件、微信发送",
        "Sending by SMS, e-mail or WeChat",
        ["identity", "contact"],
        2,
        "向您发送产业政策、申报通知和招商活动邀请。",
        "Sending you industrial policies, application notices and event invitations.",
    ),
    (
        "partner_sharing",
        "向合作园区或中介机构提供",
        "Provision to partner parks or intermediaries",
        "consent",
        True,
        "与本区签订合作协议的合作园区、产业载体和招商中介机构",
        "Partner parks, industrial carriers and investment intermediaries under agreement with the zone",
        "向接收方提供（加密传输），接收方仅用于协助您的项目",
        "Provided to the recipient (encrypted transfer), used only to assist your project",
        ["identity", "contact", "project"],
        3,
        "在您的项目需要其他园区、产业载体或招商中介机构协助时，向其提供您的联系方式和项目信息。",
        "Giving your contact details and project information to partners when your project needs their help.",
    ),
    (
        "overseas_hq",
        "向境外总部提供",
        "Provision to an overseas headquarters",
        "consent",
        True,
        "您所在企业的境外总部或其授权机构",
        "Your enterprise's overseas headquarters or its authorised body",
        "跨境提供（按个人信息出境规定办理）",
        "Cross-border provision under the rules on outbound personal information",
        ["identity", "contact", "project"],
        4,
        "向您所在企业的境外总部提供项目联络信息，以便其参与投资决策。",
        "Providing project liaison information to your enterprise's overseas headquarters for its investment "
        "decisions.",
    ),
    (
        "satisfaction",
        "满意度回访",
        "Satisfaction follow-up",
        "consent",
        False,
        "",
        "",
        "电话或问卷回访",
        "Phone call or questionnaire",
        ["identity", "contact"],
        5,
        "项目落地或诉求办结后，就服务质量回访您。",
        "Asking about our service after your project is established or your request is closed.",
    ),
]

POLICY_ZH = """\
本政策说明{zone}（以下简称“我们”）在招商引资工作中如何处理您的个人信息，以及您依法享有的权利。我们依据《中华人民共和国个人信息保护法》《中华人民共和国数据安全法》《中华人民共和国网络安全法》和 GB/T 35273-2020《信息安全技术 个人信息安全规范》处理个人信息。

一、我们是谁
个人信息处理者：{zone}。个人信息保护负责人联系方式：{officer}。

二、我们处理哪些个人信息
我们处理的是与我们洽谈投资的企业的联系人的信息：姓名、职务及所在企业；联系方式（手机号、电子邮箱、微信号）；在办理企业注册、项目备案等事项确有需要时，身份证件号码（敏感个人信息）；以及与您的沟通和项目洽谈记录。我们不收集与招商工作无关的信息。

三、处理目的与依据
1. 招商联络：与您沟通投资意向、安排考察洽谈、推进项目落地。依据：为订立、履行您所在企业与我们之间的合同（含投资协议）所必需（《个人信息保护法》第十三条第一款第二项），无需另行取得您的同意。
2. 政策推送与活动邀请：向您发送产业政策、申报通知和招商活动邀请。依据：您的同意。
3. 向合作园区或中介机构提供：在您的项目需要其他园区、产业载体或招商中介机构协助时，向其提供您的联系方式。依据：您的单独同意。
4. 向境外总部提供：向您所在企业的境外总部或其授权机构提供项目联络信息。依据：您的单独同意；我们将按规定履行个人信息出境的法定程序。
5. 满意度回访：项目落地后就服务质量回访您。依据：您的同意。
上述用途的变更，我们将更新本政策；处理目的、处理方式或个人信息种类发生重大变更的，我们将重新征得您的同意。

四、同意与撤回
基于同意的处理，您可以随时通过我们发送给您的个人信息自助链接一键撤回同意，也可联系为您服务的招商人员或个人信息保护负责人撤回。撤回立即生效，不影响撤回前基于同意已进行的处理。您不同意或撤回同意，不影响我们为您提供招商联络服务。

五、向他人提供
除上述第3、4项经您单独同意的情形，以及法律、行政法规规定的情形外，我们不向任何第三方提供您的个人信息。委托他人处理时，我们将与受托方约定处理目的、期限、方式和保护措施，并监督其履行。

六、保存期限与删除
我们仅在实现处理目的所必要的最短时间内保存您的个人信息。项目终止或您所在企业不再与我们洽谈后，我们将按保存期限规则删除或匿名化您的信息；法律、行政法规另有规定或涉及法律保全的除外。

七、安全措施
您的个人信息在存储时加密，页面默认脱敏显示；工作人员查看明文须说明用途，每次查看均记录在访问日志中；我们定期开展安全培训、审计和个人信息保护影响评估，并制定安全事件应急预案。发生或可能发生个人信息泄露时，我们将依法通知您和主管部门。

八、您的权利
您有权查阅、复制、更正、补充、删除您的个人信息，要求转移、限制或拒绝处理，要求我们解释说明处理规则，并撤回同意。您可以通过自助链接提出请求，或联系个人信息保护负责人。我们将在收到请求后十五个工作日内答复。

九、投诉
如您认为我们的处理侵害了您的权益，可以通过自助页面或公开投诉表投诉，也可以向网信部门或其他履行个人信息保护职责的部门投诉、举报。

十、本政策的更新
本政策更新后，我们将在本页面公布新版本及生效日期；重大变更将通过自助链接或其他方式告知您。
"""

POLICY_EN = """\
This policy explains how {zone} ("we") processes your personal information in its investment-promotion work, and the rights you have. We process personal information under the Personal Information Protection Law of the People's Republic of China (PIPL), the Data Security Law, the Cybersecurity Law and GB/T 35273-2020 (Personal Information Security Specification); for investors from the EU we also observe the GDPR where it applies.

1. Who we are
Personal information handler: {zone}. Personal information protection officer: {officer}.

2. What we process
We process information about the contact persons of enterprises discussing investment with us: name, position and employer; contact details (mobile number, e-mail, WeChat ID); where company registration or project filing truly requires it, your ID document number (sensitive personal information); and records of our communication and project negotiations. We collect nothing unrelated to investment promotion.

3. Purposes and legal bases
(1) Investment liaison: discussing investment plans, arranging visits and negotiations, bringing projects to completion. Basis: necessary to conclude or perform a contract (including investment agreements) between your enterprise and us (PIPL Art. 13(1)(2)); no separate consent is needed.
(2) Policy updates and event invitations: sending industrial policies, application notices and invitations. Basis: your consent.
(3) Provision to partner parks or intermediaries: giving your contact details to other parks, industrial carriers or investment intermediaries when your project needs their help. Basis: your separate consent.
(4) Provision to an overseas headquarters: giving project liaison information to your enterprise's overseas headquarters or its authorised body. Basis: your separate consent; we follow the statutory procedures for cross-border transfer.
(5) Satisfaction follow-up: asking about our service after your project is established. Basis: your consent.
If the purposes, methods or categories of information change materially, we will update this policy and ask for your consent again.

4. Consent and withdrawal
Where processing is based on consent, you can withdraw it at any time with one click on your personal self-service link, or through your investment officer or our privacy officer. Withdrawal takes effect immediately and does not affect processing carried out before it. Refusing or withdrawing consent does not affect our investment liaison service.

5. Provision to others
Except for purposes (3) and (4) with your separate consent, and cases required by law, we do not provide your personal information to any third party. Entrusted processors are bound by contract on purpose, duration, method and safeguards, and supervised.

6. Retention and deletion
We keep your personal information only as long as necessary for the purposes. When a project ends or your enterprise no longer deals with us, we delete or anonymise it under our retention rules, unless law requires otherwise or a legal hold applies.

7. Security
Your personal information is encrypted at rest and masked on screen; staff must state a purpose to see a value in clear, and every such view is logged. We train staff, audit access, carry out personal information protection impact assessments and maintain an incident response plan. If a leak occurs or may occur, we notify you and the authorities as the law requires.

8. Your rights
You may access, copy, correct, supplement and delete your personal information, ask for its transfer, restrict or object to processing, ask us to explain our processing rules, and withdraw consent. Use your self-service link or contact our privacy officer. We answer within fifteen working days.

9. Complaints
If you believe our processing infringes your rights, complain through the self-service page or the public complaint form, or to the Cyberspace Administration or another authority responsible for personal information protection.

10. Changes
We publish each new version of this policy on this page with its effective date; material changes are also announced to you through your self-service link or otherwise.
"""

GUARD_SQL = """
CREATE OR REPLACE FUNCTION privacy_ledger_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('zhaoshang.purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'privacy consent ledger is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS privacy_consentevent_append_only ON privacy_consentevent;
CREATE TRIGGER privacy_consentevent_append_only BEFORE UPDATE OR DELETE ON privacy_consentevent
    FOR EACH ROW EXECUTE FUNCTION privacy_ledger_guard();
DROP TRIGGER IF EXISTS privacy_separateconsent_append_only ON privacy_separateconsent;
CREATE TRIGGER privacy_separateconsent_append_only BEFORE UPDATE OR DELETE ON privacy_separateconsent
    FOR EACH ROW EXECUTE FUNCTION privacy_ledger_guard();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS privacy_consentevent_append_only ON privacy_consentevent;
DROP TRIGGER IF EXISTS privacy_separateconsent_append_only ON privacy_separateconsent;
DROP FUNCTION IF EXISTS privacy_ledger_guard();
"""


def install_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


def remove_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL, params=None)


def seed(apps, schema_editor):
    Purpose = apps.get_model("privacy", "Purpose")
    PrivacyPolicy = apps.get_model("privacy", "PrivacyPolicy")
    for code, name, name_en, basis, separate, rec, rec_en, method, method_en, cats, order, desc, desc_en in PURPOSES:
        Purpose.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "legal_basis": basis,
                "requires_separate_consent": separate,
                "recipient": rec,
                "recipient_en": rec_en,
                "processing_method": method,
                "processing_method_en": method_en,
                "categories": cats,
                "order": order,
                "description": desc,
                "description_en": desc_en,
            },
        )
    if not PrivacyPolicy.objects.filter(version="1.0").exists():
        PrivacyPolicy.objects.create(
            version="1.0",
            title="个人信息保护政策",
            title_en="Privacy Policy",
            body_zh=POLICY_ZH,
            body_en=POLICY_EN,
            summary_of_changes="首次发布。",
            effective_date=datetime.date(2026, 1, 1),
            material_change=False,
            published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )


def unseed(apps, schema_editor):
    apps.get_model("privacy", "PrivacyPolicy").objects.filter(version="1.0").delete()
    apps.get_model("privacy", "Purpose").objects.filter(code__in=[p[0] for p in PURPOSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_consent_ledger")]

    operations = [
        migrations.RunPython(install_guard, remove_guard),
        migrations.RunPython(seed, unseed),
    ]
