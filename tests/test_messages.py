"""One translation mechanism: messages are written in English in the code (gettext) and shipped in Chinese
(geogrid/locale/zh_Hans, compiled and committed); the UI's language is Chinese unless the browser asks for
another. Issue 15 §2 turns the remaining bilingual literals (Chinese, a spaced slash, English) into coded errors
with gettext messages."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import shapely
from django.utils import translation

from geogrid.adjustments import partition as ops
from tests.test_adjustments import API, logged_in
from tests.test_editor_input import operation

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "geogrid" / "locale" / "zh_Hans" / "LC_MESSAGES"
GETTEXT_TOOLS = pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext (scripts/setup.sh installs it)")
# A bilingual literal: a Chinese text, a spaced slash, then English words.
BILINGUAL = re.compile(r"[\u4e00-\u9fff][^\"'\n]* / [A-Za-z]{2,}")
# The literals still to convert: this number only goes down (issue 15 §2 ends at 0).
BILINGUAL_LEFT = 38


def source_files() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files", "geogrid", "maps", "tiles"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    return [ROOT / name for name in tracked if name.endswith(".py") and "/migrations/" not in name]


@GETTEXT_TOOLS
def test_every_message_of_the_code_is_translated(tmp_path):
    template = tmp_path / "django.pot"
    subprocess.run(["xgettext", "--language=Python", "--from-code=UTF-8", "--keyword=_", "--keyword=gettext",
                    "--keyword=gettext_lazy", "--keyword=pgettext:1c,2", "--keyword=ngettext:1,2",
                    "--no-location", "-o", str(template), *map(str, source_files())],
                   cwd=ROOT, check=True, capture_output=True)
    # msgcmp: every msgid of the code has a translation that is neither missing nor fuzzy.
    compared = subprocess.run(["msgcmp", str(CATALOG / "django.po"), str(template)], capture_output=True, text=True)
    assert compared.returncode == 0, compared.stderr


@GETTEXT_TOOLS
def test_the_shipped_catalog_is_the_compiled_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(CATALOG / "django.po")], check=True)
    assert compiled.read_bytes() == (CATALOG / "django.mo").read_bytes(), "run scripts/messages.sh and commit"


def test_no_more_bilingual_literals_than_before():
    found = [f"{path.relative_to(ROOT)}:{number}" for path in source_files()
             for number, line in enumerate(path.read_text().splitlines(), 1) if BILINGUAL.search(line)]
    assert len(found) <= BILINGUAL_LEFT, found


def test_no_script_takes_a_message_apart():
    scripts = [ROOT / name for name in subprocess.run(["git", "ls-files", "*.js"], cwd=ROOT, capture_output=True,
                                                      text=True, check=True).stdout.split() if "/vendor/" not in name]
    assert scripts and not [path.name for path in scripts if 'split(" / ")' in path.read_text()]


def test_a_refusal_speaks_chinese_by_default_and_english_when_asked():
    corner = {"001": shapely.box(0, 0, 10, 10), "002": shapely.box(10, 10, 20, 20)}
    for language, words in (("zh-hans", "只能合并相邻（有公共边界）的网格"), ("en", "Only neighbouring grids")):
        with translation.override(language):
            with pytest.raises(ops.EditError) as refused:
                ops.merge(corner, ["001", "002"])
        assert refused.value.code == "merge_not_neighbours" and words in refused.value.message


@pytest.mark.django_db
def test_the_api_answers_in_the_browsers_language(client):
    logged_in(client, "community")
    draft = client.get(f"{API}/draft").json()["draft"]
    codes = [f["properties"]["code"] for f in draft["features"]][:1]
    chinese = operation(client, {"op": "merge", "grids": codes}, draft)
    assert chinese.status_code == 400 and chinese.json()["code"] == "merge_needs_two"
    assert chinese.json()["message"] == "请选择至少两个网格合并"
    english = client.post(f"{API}/operations", {"draft": draft, "operation": {"op": "merge", "grids": codes}},
                          content_type="application/json", headers={"accept-language": "en"})
    assert english.json() == {**chinese.json(), "message": "Pick at least two grids to merge."}
