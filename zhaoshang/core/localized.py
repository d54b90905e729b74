"""Names stored in the database, in the reader's language: one helper for every page and export.

Reference rows (purposes, retention rules, complaint kinds and categories, departments) keep their
Chinese name in `name` and an English one in `name_en`. `localized(obj)` gives the English name in
English mode when there is one, else the Chinese; `{{ obj|localized }}` does the same in templates
and the models' __str__ uses it, so dropdowns and admin lists follow the language too.
"""

from django.utils.translation import get_language


def is_english():
    return (get_language() or "").startswith("en")


def localized(obj, field="name"):
    if obj is None:
        return ""
    value = getattr(obj, field, "") or ""
    if is_english():
        return getattr(obj, f"{field}_en", "") or value
    return value


def join_list(items):
    """Items of a list inside a sentence: "甲、乙" in Chinese, "A, B" in English (half-width there)."""
    return (", " if is_english() else "、").join(str(item) for item in items)


def label_value(label, value):
    """ "标签：值" in Chinese, "Label: value" in English."""
    return f"{label}: {value}" if is_english() else f"{label}：{value}"
