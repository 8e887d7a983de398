"""The shape of the codebase (issue 15 §1): each app owns its pages, maps/ keeps only the map page and the shell
every page extends, one file kind per job, and every asset a template names is served by the app."""
import ast
import re
from pathlib import Path

from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [*ROOT.glob("maps/templates/**/*.html"), *ROOT.glob("geogrid/*/templates/**/*.html")]
STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")
SHELL = {"base.html", "_topbar.html", "_map_assets.html", "map.html"}


def test_every_asset_a_template_names_is_found():
    named = {(path.relative_to(ROOT).as_posix(), asset) for path in TEMPLATES
             for asset in STATIC_TAG.findall(path.read_text(encoding="utf-8"))}
    assert len(named) > 25
    assert not [pair for pair in named if finders.find(pair[1]) is None]


def test_maps_holds_only_the_map_page_and_the_shell():
    assert {path.name for path in (ROOT / "maps" / "templates" / "maps").iterdir()} == SHELL
    assert {path.name for path in (ROOT / "maps").glob("*.py")} == {"__init__.py", "apps.py", "urls.py", "views.py"}
    imported = {node.module for path in (ROOT / "maps").glob("*.py")
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not [name for name in imported if name.startswith("geogrid.")], imported


def test_each_page_lives_in_the_app_it_renders():
    """A view renders its own app's templates (the shell's `maps/` included by extension, never rendered)."""
    for views in ROOT.glob("geogrid/*/views.py"):
        app = views.parent.name
        rendered = set(re.findall(r"""render\(\s*request,\s*["']([^"']+)["']""", views.read_text(encoding="utf-8")))
        assert all(name.startswith(f"{app}/") or name.startswith("api_docs/") for name in rendered), (app, rendered)


def test_one_file_kind_per_job():
    """No app splits a kind across files named after a sub-topic (`hotline_services.py`, `events_views.py`)."""
    kinds = ("views", "services", "selectors", "api", "forms", "urls", "tasks")
    split = [path.relative_to(ROOT).as_posix() for path in [*ROOT.glob("geogrid/*/*.py"), *ROOT.glob("maps/*.py")]
             if any(path.stem.endswith(f"_{kind}") for kind in kinds) and path.stem not in ("api_urls", "open311_urls")]
    assert not split


def test_a_workbook_writer_has_one_name():
    """The XLSX an app writes for people (not the 台账 export of geogrid.exports) lives in its `workbook.py`."""
    assert not list(ROOT.glob("geogrid/*/ledger.py"))
