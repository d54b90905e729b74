"""Amounts as people read them: 万元 with thousands separators in Chinese, CNY millions in English.

The database keeps investment amounts in 万元 (ten thousand yuan), the unit the zone reports in.
`format_wan(value)` writes one for the active language:

- Chinese: "83,535.00 万元"; from 1 亿 up, "8.35 亿元" (the unit the office says aloud);
- English: "CNY 835.35 million" (or "CNY 350,000" below a million): no "10k CNY" to work out.
"""

from decimal import Decimal, InvalidOperation

from django.utils import translation


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def group(value, places=2):
    """12345.6 → "12,345.60" (separators in both languages; Chinese finance writes them too)."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{number:,.{places}f}"


def format_wan(value, places=2):
    number = _decimal(value)
    if number is None:
        return "—"
    if (translation.get_language() or "").startswith("en"):
        yuan = number * 10000
        if abs(yuan) >= 1_000_000:
            return f"CNY {yuan / 1_000_000:,.{places}f} million"
        return f"CNY {yuan:,.0f}"
    if abs(number) >= 10000:
        return f"{number / 10000:,.{places}f} 亿元"
    return f"{number:,.{places}f} 万元"
