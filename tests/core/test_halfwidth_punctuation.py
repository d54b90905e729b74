"""[N] English text uses half-width punctuation: the catalogue, the e-mails, the 500 page, separators
put between translated parts in templates, and lists joined inside sentences."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from zhaoshang.core.localized import join_list, label_value
from zhaoshang.core.mail import render_email

ROOT = Path(__file__).resolve().parents[2]
FULL_WIDTH = re.compile(r"[：，（）。；！？、【】《》「」　]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _msgstrs(po):
    """msgstr texts of a .po file (continuation lines joined, plural forms included)."""
    out, current = [], None
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            current = [re.match(r'msgstr(?:\[\d+\])? "(.*)"$', line).group(1)]
            out.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line[1:-1])
        else:
            current = None
    return ["".join(parts) for parts in out]


def test_the_english_catalogue_has_no_full_width_punctuation():
    texts = _msgstrs(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(texts) > 1000
    offending = [t for t in texts if FULL_WIDTH.search(t)]
    assert offending == []


def _english_emails():
    from zhaoshang.core.notifications.kinds import get_kind

    kind = get_kind("complaint_remind")
    params = {"reference": "TS-2026-0001", "deadline": "2026-12-01", "status": "in_progress"}
    item = {"label": kind.label, "text": kind.render(params), "path": "/complaints/1/"}
    yield "core/email/notification", {"text": item["text"], "label": item["label"], "path": item["path"]}
    yield "core/email/digest", {"items": [item, {**item, "path": ""}], "count": 2}
    yield (
        "privacy/email/selfservice_link",
        {
            "url": "https://zone.example.cn/c/x/",
            "zone_name": "Zone",
            "officer_contact": "dpo@zone.example.cn",
            "days": 7,
        },
    )


@pytest.mark.django_db
def test_emails_in_english_use_half_width_punctuation(settings):
    settings.ZONE_NAME = "Example Development Zone"
    settings.PRIVACY_OFFICER_CONTACT = "dpo@zone.example.cn"
    rendered = 0
    with translation.override("en"):
        for prefix, context in _english_emails():
            subject, text, html = render_email(prefix, context)
            for part in (subject, text, html):
                assert not FULL_WIDTH.search(part), (prefix, part)
                assert not CJK.search(part), (prefix, part)
            rendered += 1
    assert rendered == 3


@pytest.mark.django_db
def test_emails_in_chinese_keep_chinese_punctuation():
    with translation.override("zh-hans"):
        _subject, text, _html = render_email(*list(_english_emails())[2])
    assert "个人信息保护负责人：" in text


def test_the_500_page_english_text_is_half_width():
    page = render_to_string("500.html")
    english = re.findall(r'<(?:p|a)[^>]*lang="en"[^>]*>(.*?)</(?:p|a)>', page, re.S)
    assert len(english) >= 2
    for text in english:
        assert not FULL_WIDTH.search(text) and not CJK.search(text), text
    assert "<title>" in page and not FULL_WIDTH.search(page.split("<title>")[1].split("</title>")[0])


def test_lists_and_labels_inside_sentences_follow_the_language():
    with translation.override("en"):
        assert join_list(["A", "B", "C"]) == "A, B, C"
        assert label_value("Name", "x") == "Name: x"
    with translation.override("zh-hans"):
        assert join_list(["甲", "乙"]) == "甲、乙"
        assert label_value("名称", "x") == "名称：x"


@pytest.mark.django_db
def test_a_refusal_listing_choices_in_english_is_half_width():
    from privacy.models import RetentionRule

    rule = RetentionRule(
        code="t",
        name="t",
        category="followup_notes",
        clock_event="complaint_closed",
        period_days=30,
        action="delete",
        legal_basis="x",
    )
    with translation.override("en"):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as caught:
            rule.clean()
        message = " ".join(caught.value.message_dict["clock_event"])
    assert ", " in message and not FULL_WIDTH.search(message), message


TEMPLATE_SEPARATOR = re.compile(r"(?:%\}|\}\})[：，（）；、]|[：，（）；、](?:\{%|\{\{)")
BLOCK = re.compile(r"\{% blocktranslate.*?\{% endblocktranslate %\}|\{% translate \"[^\"]*\" %\}", re.S)


def test_templates_put_no_bare_full_width_separator_between_translated_parts():
    """A "：" or "（" written between template tags stays full-width in English: use {% translate "：" %}.
    Chinese-only pages that show both languages side by side (500, invalid link) are exempt."""
    exempt = {"500.html", "invalid.html"}
    offending = []
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in folder.rglob("*.*"):
            if path.suffix not in {".html", ".txt"} or path.name in exempt:
                continue
            text = BLOCK.sub("", path.read_text(encoding="utf-8"))
            offending += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in TEMPLATE_SEPARATOR.finditer(text)]
    assert offending == []
    assert settings.LANGUAGE_CODE == "zh-hans"
