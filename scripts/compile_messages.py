"""Compile locale/*/LC_MESSAGES/*.po into .mo files without GNU gettext.

`make compilemessages` uses Django's compilemessages (GNU msgfmt, which also checks the
catalogues) when msgfmt is installed, and this script otherwise, so that `make run` needs nothing
but Python for a first look. Same output rules as msgfmt's defaults: fuzzy and untranslated
entries are left out, obsolete (#~) ones ignored; contexts and plural forms are kept.

    python scripts/compile_messages.py [locale_dir]
"""

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _unquote(text, path, number):
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise SystemExit(f"{path}:{number}: expected a quoted string")
    return ast.literal_eval(text)


def parse_po(path):
    """{msgid key: msgstr} of the translated, non-fuzzy entries of one .po file (header included)."""
    messages = {}
    entry, fuzzy, field = {}, False, None

    def finish():
        nonlocal entry, fuzzy, field
        if "msgid" in entry and not fuzzy:
            key = entry["msgid"]
            if "msgid_plural" in entry:
                key += "\0" + entry["msgid_plural"]
                forms = [entry[k] for k in sorted(k for k in entry if k.startswith("msgstr["))]
                value = "\0".join(forms) if all(forms) else ""
            else:
                value = entry.get("msgstr", "")
            if "msgctxt" in entry:
                key = entry["msgctxt"] + "\x04" + key
            if value:
                messages[key] = value
        entry, fuzzy, field = {}, False, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#"):
            if field is not None and not line.startswith("#~"):
                finish()  # a comment after a complete entry starts the next one
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
        elif line.startswith('"'):
            if field is None:
                raise SystemExit(f"{path}:{number}: a string outside any field")
            entry[field] += _unquote(line, path, number)
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and field is not None and field.startswith("msgstr"):
                finish()
            field = keyword
            entry[field] = _unquote(rest, path, number)
    finish()
    return messages


def write_mo(messages, path):
    """A GNU .mo file (little-endian, no hash table) of `messages`, keys sorted as msgfmt sorts them."""
    keys = sorted(messages, key=lambda k: k.encode("utf-8"))
    ids = [k.encode("utf-8") for k in keys]
    strs = [messages[k].encode("utf-8") for k in keys]
    count = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    tables, blob = [], b""
    for group in (ids, strs):
        table = []
        for item in group:
            table.append((len(item), data_at + len(blob)))
            blob += item + b"\0"
        tables.append(table)
    header = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at)
    body = b"".join(struct.pack("<2I", *pair) for table in tables for pair in table)
    path.write_bytes(header + body + blob)


def main(locale_dir=ROOT / "locale"):
    compiled = 0
    for po in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
        write_mo(parse_po(po), po.with_suffix(".mo"))
        compiled += 1
    return compiled


if __name__ == "__main__":
    n = main(*(Path(arg) for arg in sys.argv[1:2]))
    print(f"compiled {n} catalogue(s) without GNU gettext")
