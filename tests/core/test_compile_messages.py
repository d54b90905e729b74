"""`make run` needs no GNU gettext: scripts/compile_messages.py compiles the catalogues in pure Python
into the same catalogue msgfmt builds (compared entry by entry when msgfmt is installed)."""

import gettext
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("compile_messages", ROOT / "scripts" / "compile_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalogue(mo):
    with open(mo, "rb") as handle:
        return gettext.GNUTranslations(handle)


def _copy_locale(tmp_path):
    target = tmp_path / "locale"
    for po in (ROOT / "locale").glob("*/LC_MESSAGES/*.po"):
        dest = target / po.relative_to(ROOT / "locale")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po, dest)
    return target


def test_pure_python_compiler_translates_the_english_catalogue(tmp_path):
    locale = _copy_locale(tmp_path)
    assert _script().main(locale) >= 1
    english = _catalogue(locale / "en" / "LC_MESSAGES" / "django.mo")
    audit, unknown = "审计", "简体中文 only, untranslated"  # variables: makemessages must not collect them
    assert english.gettext(audit) == "Audit"
    assert english.gettext(unknown) == unknown


def test_contexts_plurals_fuzzy_and_untranslated_entries(tmp_path):
    po = tmp_path / "t.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgctxt "动词"\nmsgid "导出"\nmsgstr "Export"\n\n'
        'msgid "%(n)s 条"\nmsgid_plural "%(n)s 条"\nmsgstr[0] "%(n)s row"\nmsgstr[1] "%(n)s rows"\n\n'
        '#, fuzzy\nmsgid "草稿"\nmsgstr "Draft"\n\n'
        'msgid "未译"\nmsgstr ""\n\n'
        'msgid "多行"\nmsgstr ""\n"line one\\n"\n"line \\"two\\""\n',
        encoding="utf-8",
    )
    script = _script()
    script.write_mo(script.parse_po(po), tmp_path / "t.mo")
    catalogue = _catalogue(tmp_path / "t.mo")
    get, nget, pget = catalogue.gettext, catalogue.ngettext, catalogue.pgettext  # not collected by makemessages
    verb, export, rows, fuzzy, untranslated, multi = "动词", "导出", "%(n)s 条", "草稿", "未译", "多行"
    assert pget(verb, export) == "Export"
    assert nget(rows, rows, 1) == "%(n)s row" and nget(rows, rows, 3) == "%(n)s rows"
    assert get(fuzzy) == fuzzy and get(untranslated) == untranslated
    assert get(multi) == 'line one\nline "two"'


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU msgfmt not installed: nothing to compare with")
def test_same_catalogue_as_gnu_msgfmt(tmp_path):
    locale = _copy_locale(tmp_path)
    _script().main(locale)
    for po in locale.glob("*/LC_MESSAGES/*.po"):
        gnu = tmp_path / f"{po.parent.parent.name}-gnu.mo"
        subprocess.run(["msgfmt", "-o", str(gnu), str(po)], check=True)  # noqa: S603, S607 - fixed arguments
        ours = dict(_catalogue(po.with_suffix(".mo"))._catalog)
        theirs = dict(_catalogue(gnu)._catalog)
        ours.pop(""), theirs.pop("")  # the header: msgfmt drops POT-Creation-Date from it
        assert ours == theirs, po
